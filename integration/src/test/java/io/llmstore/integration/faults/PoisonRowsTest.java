package io.llmstore.integration.faults;

import io.llmstore.core.buffer.BufferedWriter;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.llmstore.core.StoragePool;
import io.llmstore.core.health.HealthStatus;
import io.llmstore.core.usage.BufferedUsageWriter;
import io.llmstore.core.usage.UsageMetric;
import io.llmstore.testkit.TestServers;
import io.llmstore.timescale.usage.TimescaleUsageWriter;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Rows the database (or the writer's per-row rules) refuses for their own data, mixed into buffered batches of good
 * rows; and failures that are not the rows' fault, which must keep every row.
 */
class PoisonRowsTest {
    private String schema;

    @BeforeEach
    void schema() {
        schema = FaultSupport.newSchema();
    }

    @AfterEach
    void cleanUp() {
        FaultSupport.dropSchema(schema);
    }

    @Test
    void aBufferedBatchWithOnePoisonRowOfEachKindStoresTheGoodRowsAndReportsEachPoisonRow() throws Exception {
        try (StoragePool pool = FaultSupport.pool(FaultSupport.postgresConfig(TestServers.postgres().databaseUrl(), schema)
                .set("USAGE_METADATA_MAX_BYTES", "1024"))) {
            TimescaleUsageWriter writer = pool.client(TimescaleUsageWriter.class).orElseThrow();
            Map<UUID, String> reported = new ConcurrentHashMap<>();
            // No admission step: the rows reach the writer unchecked, as a batch replayed from elsewhere would.
            try (BufferedUsageWriter buffer = BufferedUsageWriter.builder(writer).flushSize(2_000)
                    .flushInterval(Duration.ofHours(1))
                    .listener(new BufferedUsageWriter.Listener() {
                        @Override
                        public void onPoison(UsageMetric row, RuntimeException cause) {
                            reported.put(row.eventId(), cause.getMessage());
                        }
                    }).build()) {
                List<UsageMetric> rows = new ArrayList<>(FaultSupport.rows(0, 1_995));
                UsageMetric base = FaultSupport.row(5_000);
                Map<String, UsageMetric> poison = Map.of(
                        "time at Instant.MAX", base.toBuilder().eventId(UUID.randomUUID()).time(Instant.MAX).build(),
                        "time in year 10000", base.toBuilder().eventId(UUID.randomUUID())
                                .time(Instant.parse("+10000-01-01T00:00:00Z")).build(),
                        "NUL in metadata", base.toBuilder().eventId(UUID.randomUUID()).metadata("{\"a\": \"x\\u0000y\"}").build(),
                        "over-long metadata", base.toBuilder().eventId(UUID.randomUUID())
                                .metadata("{\"a\": \"" + "x".repeat(2_000) + "\"}").build(),
                        "numeric jsonb overflow (refused by the server, 22003)", base.toBuilder().eventId(UUID.randomUUID())
                                .metadata("{\"a\": 1e200000}").build());
                int at = 7;
                for (UsageMetric p : poison.values()) {
                    rows.add(at, p);
                    at += 397;
                }
                buffer.recordAll(rows);
                buffer.flush();

                assertThat(buffer.stats().buffered()).as("every row left the buffer").isZero();
                assertThat(buffer.stats().poison()).isEqualTo(5);
                assertThat(buffer.stats().dropped()).isZero();
                assertThat(buffer.stats().written()).isEqualTo(1_995);
                assertThat(reported.keySet()).containsExactlyInAnyOrderElementsOf(
                        poison.values().stream().map(UsageMetric::eventId).toList());
                assertThat(reported.get(poison.get("time at Instant.MAX").eventId()))
                        .startsWith("time must be between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z");
                assertThat(reported.get(poison.get("NUL in metadata").eventId())).startsWith("metadata must not contain \\u0000");
                assertThat(reported.get(poison.get("over-long metadata").eventId()))
                        .startsWith("metadata must be at most 1024 bytes");
                assertThat(reported.get(poison.get("numeric jsonb overflow (refused by the server, 22003)").eventId()))
                        .contains("22003");
            }
            assertThat(FaultSupport.counts(schema)).containsExactly(1_995, 1_995);
        }
    }

    @Test
    void thePoolsBufferReportsAServerRefusedRowToTheListenerSetOnIt() throws Exception {
        try (StoragePool pool = FaultSupport.pool(FaultSupport.postgresConfig(TestServers.postgres().databaseUrl(), schema))) {
            Map<UUID, RuntimeException> reported = new ConcurrentHashMap<>();
            pool.usage().buffered().setListener(new BufferedUsageWriter.Listener() {
                @Override
                public void onPoison(UsageMetric row, RuntimeException cause) {
                    reported.put(row.eventId(), cause);
                }
            });
            List<UsageMetric> rows = new ArrayList<>(FaultSupport.rows(0, 100));
            UsageMetric refused = FaultSupport.row(100).toBuilder().metadata("{\"a\": 1e200000}").build();
            rows.add(50, refused);
            pool.usage().buffered().recordAll(rows);
            pool.flush();

            assertThat(reported).containsOnlyKeys(refused.eventId());
            assertThat(pool.usage().buffered().stats().buffered()).isZero();
            assertThat(FaultSupport.counts(schema)).containsExactly(100, 100);
        }
    }

    @Test
    void recordRefusesATimeTheWriterCannotStoreNamingTimeAndTheRangeAndStoresBothEdgesExactly() throws Exception {
        try (StoragePool pool = FaultSupport.pool(FaultSupport.postgresConfig(TestServers.postgres().databaseUrl(), schema))) {
            for (Instant bad : List.of(Instant.MAX, Instant.MIN, Instant.parse("+10000-01-01T00:00:00Z"),
                    Instant.parse("0000-12-31T23:59:59.999999Z"))) {
                UsageMetric row = FaultSupport.row(1).toBuilder().eventId(UUID.randomUUID()).time(bad).build();
                assertThatThrownBy(() -> pool.usage().record(row)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessage("time must be between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z (years"
                                + " 1..9999, what PostgreSQL timestamptz and the COPY text encoding store exactly), was "
                                + row.time());
                assertThatThrownBy(() -> pool.usage().buffered().record(row)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageStartingWith("time must be between");
            }
            UsageMetric first = FaultSupport.row(2).toBuilder().time(TimescaleUsageWriter.MIN_TIME).build();
            UsageMetric last = FaultSupport.row(3).toBuilder().time(TimescaleUsageWriter.MAX_TIME).build();
            pool.usage().recordAll(List.of(first, last));
            pool.usage().buffered().record(FaultSupport.row(4).toBuilder().time(TimescaleUsageWriter.MAX_TIME).build());
            pool.flush();
            try (Connection c = FaultSupport.admin(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US')"
                         + " FROM " + schema + ".llm_usage_metrics ORDER BY time, event_id")) {
                List<String> times = new ArrayList<>();
                while (rs.next()) {
                    times.add(rs.getString(1));
                }
                assertThat(times).containsExactly("0001-01-01T00:00:00.000000", "9999-12-31T23:59:59.999999",
                        "9999-12-31T23:59:59.999999");
            }
        }
    }

    @Test
    void aFailureThatIsNotTheRowsFaultKeepsEveryRowShowsInStatsAndHealthAndTheRowsAreStoredOnceItIsFixed()
            throws Exception {
        try (StoragePool pool = FaultSupport.pool(FaultSupport.postgresConfig(TestServers.postgres().databaseUrl(), schema)
                .set("USAGE_FLUSH_INTERVAL", "100ms"))) {
            BufferedUsageWriter buffer = pool.usage().buffered();
            List<UsageMetric> dropped = new ArrayList<>();
            buffer.setListener(new BufferedUsageWriter.Listener() {
                @Override
                public void onDropped(List<UsageMetric> rows, RuntimeException cause) {
                    dropped.addAll(rows);
                }
            });
            // Given the table is gone (42P01: not retryable, and not the rows' fault).
            admin("ALTER TABLE " + schema + ".llm_usage_metrics RENAME TO llm_usage_metrics_away");
            buffer.recordAll(FaultSupport.rows(0, 700));

            await().atMost(Duration.ofSeconds(20)).until(() -> buffer.stats().consecutiveFailures() >= 2);
            BufferedWriter.Stats stats = buffer.stats();
            assertThat(stats.buffered()).as("held, not dropped").isEqualTo(700);
            assertThat(stats.dropped()).isZero();
            assertThat(stats.poison()).isZero();
            assertThat(stats.lastError()).hasValueSatisfying(e -> assertThat(e).contains("42P01"));
            assertThat(pool.healthCheck().status()).isEqualTo(HealthStatus.DEGRADED);
            assertThat(pool.healthCheck().component("usage-buffer").orElseThrow().error())
                    .hasValueSatisfying(e -> assertThat(e).contains("700 rows held").contains("42P01"));

            // When the table is back, the held rows are stored by the flusher itself, each once.
            admin("ALTER TABLE " + schema + ".llm_usage_metrics_away RENAME TO llm_usage_metrics");
            await().atMost(Duration.ofSeconds(20)).until(() -> buffer.stats().buffered() == 0);
            assertThat(FaultSupport.counts(schema)).containsExactly(700, 700);
            assertThat(buffer.stats().consecutiveFailures()).isZero();
            assertThat(pool.healthCheck().component("usage-buffer").orElseThrow().status()).isEqualTo(HealthStatus.UP);
            assertThat(dropped).isEmpty();
        }
    }

    @Test
    void anUnexpectedExceptionFromTheWriterKeepsTheRowsAndTheirRoomUntilAWriteSucceeds() throws Exception {
        try (StoragePool pool = FaultSupport.pool(FaultSupport.postgresConfig(TestServers.postgres().databaseUrl(), schema))) {
            TimescaleUsageWriter real = pool.client(TimescaleUsageWriter.class).orElseThrow();
            java.util.concurrent.atomic.AtomicInteger bugs = new java.util.concurrent.atomic.AtomicInteger(2);
            // The real writer behind an encoder that throws what java.time throws for a year it cannot handle.
            io.llmstore.core.usage.UsageWriter buggy = new io.llmstore.core.usage.UsageWriter() {
                @Override
                public void record(UsageMetric metric) {
                    recordAll(List.of(metric));
                }

                @Override
                public void recordAll(List<UsageMetric> metrics) {
                    if (bugs.getAndDecrement() > 0) {
                        throw new java.time.DateTimeException("Invalid value for Year (simulated encoder bug)");
                    }
                    real.recordAll(metrics);
                }
            };
            try (BufferedUsageWriter buffer = BufferedUsageWriter.builder(buggy).capacity(1_000).flushSize(1_000)
                    .flushInterval(Duration.ofHours(1)).whenFull(BufferedWriter.FullPolicy.REJECT, Duration.ZERO)
                    .build()) {
                buffer.recordAll(FaultSupport.rows(0, 999)); // below flushSize: only flush() writes

                assertThatThrownBy(buffer::flush).isInstanceOf(io.llmstore.core.error.StorageException.class)
                        .hasMessageContaining("they stay buffered").hasMessageContaining("DateTimeException");
                assertThat(buffer.stats().buffered()).isEqualTo(999);
                assertThat(buffer.stats().lastError()).hasValueSatisfying(e -> assertThat(e).contains("encoder bug"));
                buffer.record(FaultSupport.row(999)); // the last free place
                assertThatThrownBy(() -> buffer.record(FaultSupport.row(1_000)))
                        .as("the held rows keep their room").isInstanceOf(io.llmstore.core.error.BufferFullException.class);
                assertThatThrownBy(buffer::flush).isInstanceOf(io.llmstore.core.error.StorageException.class);
                assertThat(buffer.stats().consecutiveFailures()).isEqualTo(2);

                buffer.flush();
                assertThat(buffer.stats().buffered()).as("the room came back").isZero();
                assertThat(buffer.stats().consecutiveFailures()).isZero();
                buffer.record(FaultSupport.row(1_000));
                buffer.flush();
                assertThat(buffer.stats().dropped()).isZero();
                assertThat(buffer.stats().written()).isEqualTo(1_001);
            }
            assertThat(FaultSupport.counts(schema)).containsExactly(1_001, 1_001);
        }
    }

    private static void admin(String sql) throws Exception {
        try (Connection c = FaultSupport.admin(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
