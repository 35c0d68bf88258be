package io.llmstore.timescale;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmstore.core.StoragePool;
import io.llmstore.core.usage.MigrationResult;
import io.llmstore.testkit.PostgresServer;
import io.llmstore.testkit.TestServers;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The feature-schema contract on TimescaleDB (hypertable, materialized continuous aggregates), plus pgvector: this
 * server has the vector extension created, so a feature that uses it optionally gets its {@code .vector} scripts.
 */
class TimescaleFeatureSchemaTest extends FeatureSchemaContract {
    @Override
    PostgresServer server() {
        return TestServers.timescale();
    }

    @Override
    boolean expectTimescale() {
        return true;
    }

    @Test
    void aFeatureThatMayUsePgvectorGetsItsVectorScriptWherePgvectorIsPresentAndKeepsThatChoice() {
        StoragePool p = open(schema, true);
        MigrationResult result = migrator(p, TestFeatureSchema.vectorNotes()).migrate();

        assertThat(result.feature("vecnotes").orElseThrow()).isEqualTo(new MigrationResult.Feature("vecnotes", List.of(1), 1));
        assertThat(column(p, "SELECT script || ':' || flavor FROM llmstore_schema_history WHERE feature = 'vecnotes'"))
                .containsExactly("V1__vec_notes.vector.sql:timescaledb+vector");
        assertThat(column(p, "SELECT udt_name FROM information_schema.columns WHERE table_schema = ?"
                + " AND table_name = 'test_vec_notes' AND column_name = 'embedding'", schema)).containsExactly("vector");
        assertThat(migrator(p, TestFeatureSchema.vectorNotes()).migrate().hasApplied()).isFalse();
    }
}
