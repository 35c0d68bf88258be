package io.llmstore.integration.faults;

import io.llmstore.testkit.TcpProxy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.llmstore.core.StoragePool;
import io.llmstore.core.error.BufferFullException;
import io.llmstore.core.usage.BufferedUsageWriter;
import io.llmstore.core.usage.UsageMetric;
import io.llmstore.testkit.TestServers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL stays unreachable (the proxy refuses every connection) for longer than the async writer's buffer can
 * hold. The configured policy answers: REJECT fails at once, BLOCK waits its timeout, both with a
 * {@link BufferFullException} that names the setting; the buffered count never exceeds the capacity; every row
 * accepted (before and during the outage) is in the table after recovery, and no rejected one is.
 */
class BufferOverflowTest {
    private static final int CAPACITY = 2_000;
    private TcpProxy proxy;
    private StoragePool pool;
    private String schema;

    @BeforeEach
    void proxy() throws Exception {
        proxy = TcpProxy.to(TestServers.postgres().host(), TestServers.postgres().port());
        schema = FaultSupport.newSchema();
    }

    @AfterEach
    void cleanUp() {
        proxy.resume(); // after a failed assertion: let close() write what is buffered, quickly
        if (pool != null) {
            pool.close();
        }
        proxy.close();
        FaultSupport.dropSchema(schema);
    }

    @Test
    void underRejectABufferFullOfRowsFailsAtOnceAndEveryAcceptedRowIsStoredAfterRecovery() throws Exception {
        pool = FaultSupport.pool(config("reject", "0ms"));
        {
            BufferedUsageWriter writer = pool.usage().buffered();
            List<UsageMetric> before = FaultSupport.rows(0, 1_000);
            writer.recordAll(before);
            writer.flush();
            assertThat(FaultSupport.counts(schema)).containsExactly(1_000, 1_000);

            proxy.refuseNew();
            List<UUID> accepted = new ArrayList<>();
            before.forEach(r -> accepted.add(r.eventId()));
            List<UUID> rejected = new ArrayList<>();
            long maxBuffered = 0;
            for (int i = 1_000; i < 1_000 + 3 * CAPACITY; i++) {
                UsageMetric row = FaultSupport.row(i);
                long t0 = System.nanoTime();
                try {
                    writer.record(row);
                    accepted.add(row.eventId());
                } catch (BufferFullException e) {
                    assertThat((System.nanoTime() - t0) / 1_000_000).as("ms a rejected record() took").isLessThan(100);
                    assertThat(e).hasMessageContaining("usage buffer is full (" + CAPACITY
                            + " rows, USAGE_BUFFER_CAPACITY)");
                    assertThat(e.isRetryable()).isTrue();
                    rejected.add(row.eventId());
                }
                maxBuffered = Math.max(maxBuffered, writer.stats().buffered());
            }
            assertThat(rejected).as("rows refused while the database was away").isNotEmpty();
            assertThat(maxBuffered).as("most rows ever buffered").isLessThanOrEqualTo(CAPACITY);
            // The flusher's attempts fail (each waits its connect timeout); the buffer still holds no more than before.
            await().atMost(Duration.ofSeconds(15)).until(() -> writer.stats().failures() > 0);
            assertThat(writer.stats().buffered()).isLessThanOrEqualTo(CAPACITY);
            UsageMetric late = FaultSupport.row(999_999);
            assertThatThrownBy(() -> writer.record(late)).isInstanceOf(BufferFullException.class);
            rejected.add(late.eventId());

            proxy.resume();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> writer.stats().buffered() == 0);

            assertThat(FaultSupport.counts(schema)).containsExactly(accepted.size(), accepted.size());
            Set<UUID> stored = FaultSupport.storedIds(schema);
            assertThat(stored).isEqualTo(new HashSet<>(accepted));
            assertThat(stored).doesNotContainAnyElementsOf(rejected);
            assertThat(writer.stats().dropped()).isZero();
            pool.close();
        }
    }

    @Test
    void underBlockRecordWaitsItsTimeoutThenFailsAndTheWriterDrainsAfterRecovery() throws Exception {
        pool = FaultSupport.pool(config("block", "300ms"));
        {
            BufferedUsageWriter writer = pool.usage().buffered();
            proxy.refuseNew();
            List<UsageMetric> fill = FaultSupport.rows(0, CAPACITY);
            writer.recordAll(fill);
            // The flusher may hold one batch out of the queue for its retry: top the queue up until it blocks.
            int i = CAPACITY;
            long t0 = 0;
            BufferFullException full = null;
            List<UUID> accepted = new ArrayList<>(fill.stream().map(UsageMetric::eventId).toList());
            while (full == null && i < 3 * CAPACITY) {
                UsageMetric row = FaultSupport.row(i++);
                t0 = System.nanoTime();
                try {
                    writer.record(row);
                    accepted.add(row.eventId());
                } catch (BufferFullException e) {
                    full = e;
                }
            }
            long waitedMs = (System.nanoTime() - t0) / 1_000_000;
            assertThat(full).isNotNull();
            assertThat(full).hasMessageContaining("USAGE_BUFFER_CAPACITY").hasMessageContaining("after waiting 300 ms");
            assertThat(waitedMs).as("ms record() blocked").isBetween(250L, 2_000L);
            assertThat(writer.stats().buffered()).isLessThanOrEqualTo(CAPACITY);

            proxy.resume();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> writer.stats().buffered() == 0);
            assertThat(FaultSupport.storedIds(schema)).isEqualTo(new HashSet<>(accepted));
            pool.close();
        }
    }

    private io.llmstore.core.config.StorageConfig.Builder config(String policy, String timeout) {
        return FaultSupport.postgresConfig(FaultSupport.databaseUrlVia(proxy.port()), schema)
                .set("USAGE_BUFFER_CAPACITY", Integer.toString(CAPACITY))
                .set("USAGE_FLUSH_SIZE", "500")
                .set("USAGE_FLUSH_INTERVAL", "50ms")
                .set("USAGE_BUFFER_FULL_POLICY", policy)
                .set("USAGE_BUFFER_FULL_TIMEOUT", timeout)
                .set("DB_RETRY_MAX_ATTEMPTS", "2");
    }
}
