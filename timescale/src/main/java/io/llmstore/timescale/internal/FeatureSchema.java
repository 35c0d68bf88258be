package io.llmstore.timescale.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * The schema one feature of the adapter owns (usage; later trace, operation, conversation, embedding, gateway):
 * its versioned scripts, migrated by {@link SchemaMigrator} with every other feature's, recorded in the one history
 * table under the feature's {@link #name()}.
 *
 * <p>Scripts are classpath resources in {@link #resourceFolder()}, listed by {@link #scripts()} (a jar's folder cannot
 * be listed portably), named {@code V<version>__<words>[.<flavor>][.vector].sql}: no qualifier for every server,
 * {@code .postgresql} or {@code .timescaledb} for one schema flavor, {@code .vector} for a database with pgvector
 * (only in a feature whose {@link #vector()} is not {@link Vector#NONE}). For each version the most specific script
 * that fits the database runs; a version no script fits is skipped (V2, the hypertable, on plain PostgreSQL). A
 * script's first line {@code -- llmstore:no-transaction} runs its statements one by one in autocommit (continuous
 * aggregates); any other script runs in one transaction with its history row. Once applied, a script never changes:
 * the migrator refuses a database whose recorded checksum differs from the shipped script. Change a schema by adding
 * the next version.
 *
 * <p>Implementations are stateless apart from their settings and thread-safe; the registry is
 * {@link FeatureSchemas#standard}.
 */
public interface FeatureSchema {
    /** Whether a feature stores pgvector columns. */
    enum Vector {
        /** Never: a {@code .vector} script is a packaging error. */
        NONE,
        /** When the database has pgvector ({@code .vector} scripts), else without it; decided once per feature. */
        OPTIONAL,
        /** Always: migrating without pgvector fails with a {@link io.llmstore.core.error.NotConfiguredException}. */
        REQUIRED
    }

    /** The name recorded in the history table: lower-case, {@code [a-z][a-z0-9_]*}, unique, never changed. */
    String name();

    /**
     * Where the feature migrates among the others, lowest first (usage is {@value FeatureSchemas#USAGE_ORDER}); a
     * feature whose tables reference another's comes after it. Unique among the registered features.
     */
    int order();

    /** The classpath folder holding the scripts, absolute, ending in {@code /}. */
    String resourceFolder();

    /** Every script file name in {@link #resourceFolder()}, any order. */
    List<String> scripts();

    /** Whether the feature uses pgvector; {@link Vector#NONE} unless overridden. */
    default Vector vector() {
        return Vector.NONE;
    }

    /**
     * Runs after the feature's scripts on every migration, also when none was applied, on the migrating connection
     * (autocommit, search_path set, advisory lock held), for what is not versioned: policies that follow settings.
     *
     * @param flavor {@code timescaledb} or {@code postgresql}
     */
    default void afterMigrate(Connection connection, String flavor) throws SQLException {
    }
}
