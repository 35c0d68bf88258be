package io.llmstore.integration.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmstore.core.StoragePool;
import io.llmstore.core.error.ConnectionException;
import io.llmstore.core.usage.BufferedUsageWriter;
import io.llmstore.core.usage.UsageMetric;
import io.llmstore.testkit.TestServers;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The server ends the writer's own session at COMMIT: a deferred constraint trigger on {@code llm_usage_metrics}
 * calls {@code pg_terminate_backend(pg_backend_pid())} while the transaction commits (FATAL 57P01, then HikariCP's
 * closed proxy answers the rollback with "Connection is closed", no SQLState). The first N commits die that way
 * (a sequence counts them: {@code nextval} is not rolled back). Every acknowledged row must be stored exactly once.
 */
class CommitTerminationTest {
    private String schema;

    @BeforeEach
    void schema() {
        schema = FaultSupport.newSchema();
    }

    @AfterEach
    void cleanUp() {
        FaultSupport.dropSchema(schema);
    }

    @ParameterizedTest(name = "write mode {0}")
    @ValueSource(strings = {"copy", "insert"})
    void theSynchronousWriterRetriesACommitTheServerEndedAndStoresEachRowOnce(String mode) throws Exception {
        try (StoragePool pool = FaultSupport.pool(FaultSupport.postgresConfig(TestServers.postgres().databaseUrl(), schema)
                .set("DB_WRITE_MODE", mode).set("DB_RETRY_MAX_ATTEMPTS", "4"))) {
            killNextCommits(2);
            List<UsageMetric> batch = FaultSupport.rows(0, 2_000);

            pool.usage().recordAll(batch); // acknowledged: returns normally

            assertThat(killsLeft()).as("commits the server ended before the write got through").isZero();
            assertThat(FaultSupport.counts(schema)).containsExactly(2_000, 2_000);
            // An ambiguous commit is answered by replaying the batch: idempotent on (event_id, time).
            pool.usage().recordAll(batch);
            assertThat(FaultSupport.counts(schema)).containsExactly(2_000, 2_000);
        }
    }

    @ParameterizedTest(name = "write mode {0}")
    @ValueSource(strings = {"copy", "insert"})
    void theBufferedWriterKeepsABatchWhoseCommitTheServerEndedAndStoresEachRowOnce(String mode) throws Exception {
        try (StoragePool pool = FaultSupport.pool(FaultSupport.postgresConfig(TestServers.postgres().databaseUrl(), schema)
                .set("DB_WRITE_MODE", mode).set("DB_RETRY_MAX_ATTEMPTS", "2").set("USAGE_FLUSH_INTERVAL", "1h"))) {
            BufferedUsageWriter buffer = pool.usage().buffered();
            List<UsageMetric> dropped = new CopyOnWriteArrayList<>();
            buffer.setListener(new BufferedUsageWriter.Listener() {
                @Override
                public void onDropped(List<UsageMetric> rows, RuntimeException cause) {
                    dropped.addAll(rows);
                }
            });
            killNextCommits(3); // more than one flush's attempts: the rows must be held, then stored
            List<UsageMetric> rows = FaultSupport.rows(10_000, 3_000);
            buffer.recordAll(rows);

            assertThatThrownBy(buffer::flush).as("two attempts, both ended by the server")
                    .isInstanceOf(ConnectionException.class);
            assertThat(buffer.stats().buffered()).as("held for a retry, not dropped").isEqualTo(3_000);
            assertThat(buffer.stats().consecutiveFailures()).isEqualTo(1);
            assertThat(buffer.stats().lastError()).hasValueSatisfying(e -> assertThat(e).contains("PostgreSQL"));
            assertThat(pool.healthCheck().component("usage-buffer")).hasValueSatisfying(h ->
                    assertThat(h.error()).hasValueSatisfying(e -> assertThat(e).contains("3000 rows held")));

            buffer.flush(); // the third kill, then the retry gets through

            assertThat(killsLeft()).isZero();
            assertThat(buffer.stats().buffered()).isZero();
            assertThat(buffer.stats().dropped()).isZero();
            assertThat(dropped).isEmpty();
            assertThat(FaultSupport.counts(schema)).containsExactly(3_000, 3_000);
        }
    }

    @org.junit.jupiter.api.Test
    void theMigratorThrowsTheFailureThatEndedItsSessionNotTheUnlockThatFailedAfterIt() throws Exception {
        // An event trigger ends any session that runs DDL with this test's schema as current schema: the migrator's
        // first CREATE TABLE. Its advisory unlock (in a finally) then fails on the dead connection.
        String fn = schema + "_kill_ddl";
        try (Connection c = FaultSupport.admin(); Statement s = c.createStatement()) {
            s.execute("CREATE FUNCTION public." + fn + "() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN"
                    + " IF current_schema() = '" + schema + "' THEN"
                    + " PERFORM pg_terminate_backend(pg_backend_pid()); PERFORM pg_sleep(5); END IF; END $$");
            s.execute("CREATE EVENT TRIGGER " + fn + " ON ddl_command_start EXECUTE FUNCTION public." + fn + "()");
        }
        try {
            assertThatThrownBy(() -> FaultSupport.pool(FaultSupport.postgresConfig(TestServers.postgres().databaseUrl(), schema)
                    .set("DB_RETRY_MAX_ATTEMPTS", "1")).close())
                    .isInstanceOf(ConnectionException.class)
                    .hasMessageContaining("migrating schema " + schema)
                    .hasMessageContaining("terminating connection due to administrator command")
                    .satisfies(e -> assertThat(((ConnectionException) e).isRetryable()).isTrue())
                    .satisfies(e -> assertThat(e.getCause().getSuppressed()).as("the unlock's own failure, attached")
                            .isNotEmpty());
        } finally {
            try (Connection c = FaultSupport.admin(); Statement s = c.createStatement()) {
                s.execute("DROP EVENT TRIGGER IF EXISTS " + fn);
                s.execute("DROP FUNCTION IF EXISTS public." + fn + "()");
            }
        }
    }

    /** Arms the trigger: the next {@code n} transactions inserting usage rows are ended by the server at COMMIT. */
    private void killNextCommits(int n) throws SQLException {
        try (Connection c = FaultSupport.admin(); Statement s = c.createStatement()) {
            s.execute("CREATE SEQUENCE " + schema + ".commit_kills");
            s.execute("CREATE FUNCTION " + schema + ".kill_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                    + " IF nextval('" + schema + ".commit_kills') <= " + n + " THEN"
                    + " PERFORM pg_terminate_backend(pg_backend_pid()); PERFORM pg_sleep(5); END IF;"
                    + " RETURN NULL; END $$");
            s.execute("CREATE CONSTRAINT TRIGGER kill_at_commit AFTER INSERT ON " + schema + ".llm_usage_metrics"
                    + " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION " + schema + ".kill_at_commit()");
            s.execute("CREATE TABLE " + schema + ".commit_kills_armed AS SELECT " + n + " AS n");
        }
    }

    /** Kills armed but not yet used. */
    private long killsLeft() throws SQLException {
        try (Connection c = FaultSupport.admin(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT (SELECT n FROM " + schema + ".commit_kills_armed)"
                     + " - CASE WHEN is_called THEN least(last_value, (SELECT n FROM " + schema + ".commit_kills_armed))"
                     + " ELSE 0 END FROM " + schema + ".commit_kills")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
