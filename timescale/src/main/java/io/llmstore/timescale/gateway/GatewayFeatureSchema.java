package io.llmstore.timescale.gateway;

import io.llmstore.timescale.internal.FeatureSchema;
import io.llmstore.timescale.internal.FeatureSchemas;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway feature's schema (providers, models, prices, API keys, usage records, monthly summaries), scripts in
 * {@code io/llmstore/timescale/gateway/migrations/}. After every migration it tries to create {@code pg_trgm} (in
 * schema {@code public}, PostgreSQL's contrib) and a trigram index on model names for fuzzy search; where the
 * extension cannot be created (not installed, no right), search falls back to a ranked ILIKE and this logs one INFO.
 *
 * <p>Wiring, not for application code: registered in {@code FeatureSchemas}. Immutable, thread-safe.
 */
public final class GatewayFeatureSchema implements FeatureSchema {
    /** After usage and operations; reads no other feature's tables. */
    public static final int ORDER = FeatureSchemas.GATEWAY_ORDER;
    static final List<String> FILES = List.of("V1__gateway.sql");
    private static final Logger log = LoggerFactory.getLogger(GatewayFeatureSchema.class);

    @Override
    public String name() {
        return "gateway";
    }

    @Override
    public int order() {
        return ORDER;
    }

    @Override
    public String resourceFolder() {
        return "/io/llmstore/timescale/gateway/migrations/";
    }

    @Override
    public List<String> scripts() {
        return FILES;
    }

    /** Autocommit: a refused CREATE EXTENSION fails alone and leaves the migration intact. */
    @Override
    public void afterMigrate(Connection connection, String flavor) throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public");
            st.execute("CREATE INDEX IF NOT EXISTS gateway_model_names_trgm ON gateway_model_names "
                    + "USING gin (lower_name public.gin_trgm_ops)");
        } catch (SQLException e) {
            log.info("pg_trgm is not available ({}): model search uses a ranked ILIKE", e.getMessage());
        }
    }
}
