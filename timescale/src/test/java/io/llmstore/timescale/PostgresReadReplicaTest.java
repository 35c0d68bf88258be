package io.llmstore.timescale;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.usage.ModelUsage;
import io.llmstore.core.usage.UsageFilter;
import io.llmstore.core.usage.UsageMetric;
import io.llmstore.testkit.PostgresServer;
import io.llmstore.testkit.TestServers;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code DB_READ_URL} pointed at a real streaming replica (the cluster lane's {@code replica}: a hot standby of the
 * postgres lane made with {@code pg_basebackup -R}): writes and migrations run on the primary, the analytics query on
 * the replica, as each server's own {@code pg_stat_statements} shows; rows written on the primary become visible to
 * analytics after the replay lag, which is measured. Fails (never skips) without the cluster lane.
 */
class PostgresReadReplicaTest {
    private final PostgresServer primary = TestServers.postgres();
    private final PostgresServer replica = TestServers.postgresReplica();
    private String schema;

    @BeforeEach
    void newSchemaAndCleanStatistics() throws SQLException {
        schema = "rr_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        sql(primary, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"); // replayed onto the replica too
        awaitOnReplica("SELECT count(*) FROM pg_extension WHERE extname = 'pg_stat_statements'");
        // Each server counts the statements it ran itself; the standby's counters are its own, not replayed.
        sql(primary, "SELECT pg_stat_statements_reset()");
        sql(replica, "SELECT pg_stat_statements_reset()");
    }

    @AfterEach
    void dropSchema() throws SQLException {
        sql(primary, "DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
    }

    @Test
    void writesGoToThePrimaryAndAnalyticsToTheReplicaAsEachServersStatementsShow() throws Exception {
        assertThat(value(replica, "SELECT pg_is_in_recovery()")).as("the replica is a standby").isEqualTo("t");
        StorageConfig config = StorageConfig.builder().databaseUrl(primary.databaseUrl())
                .set("DB_READ_URL", replica.databaseUrl()).set("DB_SCHEMA", schema)
                .set("DB_MIGRATE_ON_START", "true").poolMaxConnections(2).poolMinConnections(0).build();
        try (StoragePool pool = StoragePool.create(config)) {
            List<UsageMetric> rows = IntStream.range(0, 200).mapToObj(i -> UsageMetric.builder()
                    .time(UsageData.START.plusMillis(i)).model("gpt-4o").provider("openai").tokens(10, 5).build())
                    .toList();
            pool.usage().recordAll(rows);
            long writtenAt = System.nanoTime();
            // The replay lag itself: until the standby has replayed the primary's WAL up to the write's commit.
            String lsn = value(primary, "SELECT pg_current_wal_lsn()");
            long replayPolls = 0;
            while (!"t".equals(value(replica, "SELECT pg_last_wal_replay_lsn() >= '" + lsn + "'::pg_lsn"))) {
                assertThat(System.nanoTime() - writtenAt).as("replica still behind").isLessThan(Duration.ofSeconds(30).toNanos());
                replayPolls++;
            }
            double replayedMs = (System.nanoTime() - writtenAt) / 1e6;
            // PostgreSQL's own figure: the last replay lag the standby reported (null when idle since).
            String serverLag = value(primary, "SELECT coalesce(max(replay_lag)::text, 'none reported')"
                    + " FROM pg_stat_replication");

            // A row just written may not be visible on the replica yet: poll until the replay caught up.
            UsageFilter all = UsageFilter.between(UsageData.START, UsageData.START.plusSeconds(1));
            long requests = 0;
            int polls = 0;
            while (requests < 200) {
                assertThat(System.nanoTime() - writtenAt).as("replica still behind").isLessThan(Duration.ofSeconds(30).toNanos());
                List<ModelUsage> usage = pool.analytics().usageByModel(all);
                requests = usage.stream().mapToLong(ModelUsage::requests).sum();
                polls++;
            }
            long visibleMs = (System.nanoTime() - writtenAt) / 1_000_000;
            System.out.printf("read replica: the write's WAL was replayed on the replica %.1f ms after recordAll returned"
                    + " (%d polls, each a new connection); pg_stat_replication.replay_lag %s; the 200 rows were visible to"
                    + " analytics after %d ms (%d analytics queries)%n", replayedMs, replayPolls, serverLag, visibleMs, polls);

            // The primary ran the writes (and the migrations), and not one analytics query.
            assertThat(count(primary, "query ILIKE '%llm_usage_metrics%' AND (query ILIKE 'insert%' OR query ILIKE 'copy%')"))
                    .as("writes on the primary").isPositive();
            assertThat(count(primary, "query ILIKE '%create table%'")).as("migrations on the primary").isPositive();
            assertThat(count(primary, "query ILIKE 'select%llm_usage_metrics%group by%'"))
                    .as("analytics on the primary").isZero();
            // The replica ran every analytics query, and no write.
            assertThat(count(replica, "query ILIKE 'select%llm_usage_metrics%group by%'"))
                    .as("analytics on the replica").isGreaterThanOrEqualTo(polls);
            assertThat(count(replica, "query ILIKE '%llm_usage_metrics%' AND (query ILIKE 'insert%' OR query ILIKE 'copy%')"))
                    .as("writes on the replica").isZero();
        }
    }

    /** Calls summed over the server's pg_stat_statements rows matching {@code where}. */
    private static long count(PostgresServer server, String where) throws SQLException {
        return Long.parseLong(value(server, "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE " + where));
    }

    private void awaitOnReplica(String countQuery) throws SQLException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (Long.parseLong(value(replica, countQuery)) == 0) {
            assertThat(System.nanoTime()).as("replayed on the replica: " + countQuery).isLessThan(deadline);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private static String value(PostgresServer server, String query) throws SQLException {
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password());
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void sql(PostgresServer server, String statement) throws SQLException {
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password());
             Statement st = c.createStatement()) {
            st.execute(statement);
        }
    }
}
