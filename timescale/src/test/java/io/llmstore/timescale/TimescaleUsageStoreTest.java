package io.llmstore.timescale;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmstore.core.StoragePool;
import io.llmstore.testkit.PostgresServer;
import io.llmstore.testkit.TestServers;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The usage store contract on TimescaleDB (the PGlite test server: one connection, no COPY, so the writer must
 * pick the batched INSERT path by itself).
 */
class TimescaleUsageStoreTest extends UsageStoreContract {
    @Override
    PostgresServer server() {
        return TestServers.timescale();
    }

    @Override
    boolean expectTimescale() {
        return true;
    }

    @Test
    void autoWriteModeDetectsPgliteWithoutIssuingCopyAndUsesBatchedInserts() {
        assertThat(pool.client(TimescaleUsageWriter.class).orElseThrow().mode()).isEqualTo(WriteMode.INSERT);
    }

    @Test
    void theUsageTableIsAHypertableAndTheRollupsAreContinuousAggregatesWithRefreshPolicies() throws SQLException {
        try (Connection c = dataSource(pool).getConnection(); Statement st = c.createStatement()) {
            ResultSet rs = st.executeQuery("SELECT count(*) FROM timescaledb_information.hypertables WHERE "
                    + "hypertable_schema = '" + schema + "' AND hypertable_name = 'llm_usage_metrics'");
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(1);
            rs = st.executeQuery("SELECT view_name, materialized_only FROM timescaledb_information.continuous_aggregates"
                    + " WHERE view_schema = '" + schema + "' ORDER BY view_name");
            List<String> views = new ArrayList<>();
            while (rs.next()) {
                views.add(rs.getString(1) + " materialized_only=" + rs.getBoolean(2));
            }
            assertThat(views).containsExactly("llm_usage_daily materialized_only=false", "llm_usage_hourly materialized_only=false");
            assertThat(jobs(st)).contains("policy_refresh_continuous_aggregate");
        }
    }

    @Test
    void retentionAndCompressionPoliciesComeFromConfiguration() throws SQLException {
        pool.close();
        StoragePool p = open(Map.of("TIMESCALE_RETENTION", "90d", "TIMESCALE_COMPRESS_AFTER", "7d"));
        try (Connection c = dataSource(p).getConnection(); Statement st = c.createStatement()) {
            assertThat(jobs(st)).contains("policy_retention", "policy_compression");
        }
        // Re-applying on the next start replaces, never duplicates, the policies.
        p.migrate();
        try (Connection c = dataSource(p).getConnection(); Statement st = c.createStatement()) {
            List<String> jobs = jobs(st);
            assertThat(jobs.stream().filter("policy_retention"::equals)).hasSize(1);
            assertThat(jobs.stream().filter("policy_compression"::equals)).hasSize(1);
        }
    }

    private List<String> jobs(Statement st) throws SQLException {
        ResultSet rs = st.executeQuery("SELECT proc_name FROM timescaledb_information.jobs WHERE hypertable_schema = '"
                + schema + "' OR hypertable_name IN (SELECT materialization_hypertable_name FROM "
                + "timescaledb_information.continuous_aggregates WHERE view_schema = '" + schema + "')");
        List<String> jobs = new ArrayList<>();
        while (rs.next()) {
            jobs.add(rs.getString(1));
        }
        return jobs;
    }
}
