package io.llmstore.integration.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llmstore.core.StoragePool;
import io.llmstore.core.buffer.BufferedWriter;
import io.llmstore.core.health.HealthStatus;
import io.llmstore.core.operation.LlmSession;
import io.llmstore.core.operation.Operation;
import io.llmstore.core.operation.OperationMessage;
import io.llmstore.core.operation.OperationWithMessages;
import io.llmstore.testkit.TestServers;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The real PostgreSQL is restarted (fast shutdown: every session killed, transactions in flight rolled back) while
 * {@code pool.operations().buffered()} ingests operations with three messages each. Nothing is lost or doubled:
 * every operation is stored once with exactly its three messages.
 */
class OperationRestartTest {
    private static final int OPERATIONS = 20_000;
    private String schema;

    @AfterEach
    void restoreServerAndDropSchema() {
        TestServers.start("postgres"); // no-op when it runs
        if (schema != null) {
            FaultSupport.dropSchema(schema);
        }
    }

    @Test
    void aRestartDuringAsyncIngestStoresEveryOperationAndItsMessagesExactlyOnce() throws Exception {
        schema = FaultSupport.newSchema();
        try (StoragePool pool = FaultSupport.pool(FaultSupport.postgresConfig(TestServers.postgres().databaseUrl(), schema))) {
            LlmSession session = LlmSession.of(UUID.randomUUID(), "restart", "agent", Instant.parse("2026-03-01T00:00:00Z"));
            pool.operations().ensureSession(session);
            BufferedWriter<OperationWithMessages> writer = pool.operations().buffered();
            List<OperationWithMessages> ops = new ArrayList<>();
            for (int i = 0; i < OPERATIONS; i++) {
                Operation o = Operation.builder(session.sessionId()).operationId(new UUID(77, i))
                        .timestamp(Instant.parse("2026-03-01T00:00:00Z").plusMillis(i)).provider("openai").model("gpt-4o")
                        .tokens(100, 20).latencyMs(250).cost(new BigDecimal("0.0012")).build();
                ops.add(new OperationWithMessages(o, List.of(OperationMessage.of("system", "s" + i, 0),
                        OperationMessage.of("user", "u" + i, 1), OperationMessage.of("assistant", "a" + i, 2))));
            }
            // A steady producer (~8 s) so the outage lands in the middle of the ingest.
            CompletableFuture<Void> producer = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < OPERATIONS; i++) {
                    writer.record(ops.get(i));
                    if (i % 50 == 49) {
                        PostgresRestartTest.sleep(20);
                    }
                }
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> writer.stats().written() >= 3_000);
            TestServers.stop("postgres");
            try {
                // The writer keeps accepting while the database is away; health names the failing buffer.
                await().atMost(Duration.ofSeconds(15)).until(() -> pool.healthCheck().component("operation-buffer")
                        .map(h -> h.status() == HealthStatus.DOWN).orElse(false));
                PostgresRestartTest.sleep(500);
            } finally {
                TestServers.start("postgres");
            }
            producer.get(60, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> writer.stats().buffered() == 0 && writer.stats().written() >= OPERATIONS);
            writer.flush();

            await().atMost(Duration.ofSeconds(10)).until(() -> pool.healthCheck().component("operation-buffer")
                    .map(h -> h.status() == HealthStatus.UP).orElse(false));
            BufferedWriter.Stats stats = writer.stats();
            assertThat(stats.failures()).as("batch attempts that failed during the outage").isPositive();
            assertThat(stats.dropped()).isZero();
            assertThat(stats.poison()).isZero();
            try (Connection c = FaultSupport.admin(); Statement st = c.createStatement()) {
                ResultSet rs = st.executeQuery("SELECT count(*), count(DISTINCT operation_id) FROM " + schema + ".llm_operations");
                rs.next();
                assertThat(rs.getLong(1)).as("operations stored").isEqualTo(OPERATIONS);
                assertThat(rs.getLong(2)).isEqualTo(OPERATIONS);
                rs = st.executeQuery("SELECT count(*) FILTER (WHERE n <> 3) FROM (SELECT o.operation_id, count(m.message_id) n"
                        + " FROM " + schema + ".llm_operations o LEFT JOIN " + schema + ".llm_messages m USING (operation_id)"
                        + " GROUP BY o.operation_id) x");
                rs.next();
                assertThat(rs.getLong(1)).as("operations without exactly their three messages").isZero();
                rs = st.executeQuery("SELECT operation_id FROM " + schema + ".llm_operations");
                Set<UUID> stored = new HashSet<>();
                while (rs.next()) {
                    stored.add((UUID) rs.getObject(1));
                }
                Set<UUID> expected = new HashSet<>();
                ops.forEach(o -> expected.add(o.operation().operationId()));
                assertThat(stored).isEqualTo(expected);
                rs = st.executeQuery("SELECT count(*) FROM " + schema + ".llm_messages");
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(3L * OPERATIONS);
            }
        }
    }
}
