package io.llmstore.integration.faults;

import io.llmstore.core.buffer.BufferedWriter;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llmstore.core.StoragePool;
import io.llmstore.core.health.HealthStatus;
import io.llmstore.core.usage.BufferedUsageWriter;
import io.llmstore.core.usage.UsageMetric;
import io.llmstore.testkit.TestServers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The real PostgreSQL is restarted (fast shutdown: every session killed) while the async writer ingests 100,000
 * rows. The application does nothing special: same pool, same writer.
 */
class PostgresRestartTest {
    private static final int ROWS = 100_000;
    private String schema;

    @AfterEach
    void restoreServerAndDropSchema() {
        TestServers.start("postgres"); // no-op when it runs
        if (schema != null) {
            FaultSupport.dropSchema(schema);
        }
    }

    @Test
    void aRestartDuringIngestLeavesEveryRowStoredExactlyOnceAndHealthGoesDownThenUp() throws Exception {
        schema = FaultSupport.newSchema();
        List<HealthStatus> seen = Collections.synchronizedList(new ArrayList<>());
        try (StoragePool pool = FaultSupport.pool(FaultSupport.postgresConfig(TestServers.postgres().databaseUrl(), schema)
                .set("USAGE_BUFFER_CAPACITY", "100000")
                .set("USAGE_FLUSH_SIZE", "5000")
                .set("USAGE_FLUSH_INTERVAL", "100ms")
                .set("USAGE_BUFFER_FULL_TIMEOUT", "60s"))) {
            pool.startHealthMonitor(Duration.ofMillis(100), r -> {
                if (seen.isEmpty() || seen.get(seen.size() - 1) != r.status()) {
                    seen.add(r.status());
                }
            });
            BufferedUsageWriter writer = pool.usage().buffered();
            List<UsageMetric> rows = FaultSupport.rows(0, ROWS);

            // A steady producer (~8 s for 100k rows) so the outage lands in the middle of the ingest.
            CompletableFuture<Void> producer = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < ROWS; i++) {
                    writer.record(rows.get(i));
                    if (i % 250 == 249) {
                        sleep(20);
                    }
                }
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> writer.stats().written() >= 20_000);

            TestServers.stop("postgres");
            try {
                await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains(HealthStatus.DOWN));
                sleep(1_000); // the writer keeps accepting while the database is away
            } finally {
                TestServers.start("postgres");
            }
            producer.get(60, TimeUnit.SECONDS);

            // Recovery happens by itself: the flusher's next attempts reach the restarted server.
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> writer.stats().buffered() == 0 && writer.stats().written() >= ROWS);
            writer.flush();

            long[] counts = FaultSupport.counts(schema);
            assertThat(counts[0]).as("rows stored").isEqualTo(ROWS);
            assertThat(counts[1]).as("distinct event ids stored").isEqualTo(ROWS);
            Set<UUID> expected = new HashSet<>();
            rows.forEach(r -> expected.add(r.eventId()));
            assertThat(FaultSupport.storedIds(schema)).isEqualTo(expected);
            BufferedWriter.Stats stats = writer.stats();
            assertThat(stats.accepted()).isEqualTo(ROWS);
            assertThat(stats.dropped()).isZero();
            assertThat(stats.poison()).isZero();
            assertThat(stats.failures()).as("batch attempts that failed during the outage").isPositive();

            await().atMost(Duration.ofSeconds(10)).until(() -> pool.healthCheck().status() == HealthStatus.UP);
            await().atMost(Duration.ofSeconds(5)).until(() -> seen.get(seen.size() - 1) == HealthStatus.UP);
            assertThat(seen).containsSubsequence(HealthStatus.UP, HealthStatus.DOWN, HealthStatus.UP);

            // The same pool serves synchronous writes again: no application restart.
            UsageMetric after = FaultSupport.row(ROWS + 1);
            pool.usage().record(after);
            assertThat(FaultSupport.countOf(schema, List.of(after.eventId()))).isEqualTo(1);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
