package io.llmstore.integration.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llmstore.core.StoragePool;
import io.llmstore.core.buffer.BufferedWriter;
import io.llmstore.core.gateway.ApiKey;
import io.llmstore.core.gateway.ApiKeySpec;
import io.llmstore.core.gateway.Model;
import io.llmstore.core.gateway.ModelSpec;
import io.llmstore.core.gateway.UsageRecord;
import io.llmstore.core.health.ComponentHealth;
import io.llmstore.core.health.HealthStatus;
import io.llmstore.core.metrics.LlmstoreMetrics;
import io.llmstore.core.trace.LlmSpan;
import io.llmstore.testkit.TestServers;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every buffered writer of the pool shows in {@code pool.stats()} (with its spool) and in {@code pool.healthCheck()}:
 * spans and gateway usage records whose table is gone (42P01: not the rows' fault) are held, their writer's
 * {@code <kind>-buffer} component is DOWN naming what waits and why (the pool DEGRADED), and once the table is back
 * every held row is stored once and the component is UP again. The Micrometer binder shows the same.
 */
class BufferHealthTest {
    private static final int ROWS = 300;

    @TempDir
    Path spoolDir;
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
    void statsShowEveryBufferedWriterAndEachSpool() {
        try (StoragePool pool = FaultSupport.pool(FaultSupport.postgresConfig(TestServers.postgres().databaseUrl(), schema)
                .set("SPOOL_DIR", spoolDir.toString()))) {
            pool.usage().buffered().recordAll(FaultSupport.rows(0, 10));
            pool.flush();

            assertThat(pool.stats().buffers()).containsOnlyKeys("usage", "operation", "span", "gateway-usage");
            assertThat(pool.stats().buffers().get("usage").written()).isEqualTo(10);
            assertThat(pool.stats().spools()).containsOnlyKeys("usage", "operation", "span", "gateway-usage");
            assertThat(pool.stats().spools().get("usage").pending()).isZero();
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            new LlmstoreMetrics(pool).bindTo(registry);
            assertThat(registry.get("llmstore.spool.pending").tag("writer", "usage").gauge().value()).isZero();
            assertThat(registry.get("llmstore.spool.bytes").tag("writer", "usage").gauge().value())
                    .isEqualTo((double) pool.stats().spools().get("usage").bytes());
            assertThat(pool.healthCheck().components()).extracting(ComponentHealth::component)
                    .containsExactly("postgres", "usage-buffer", "operation-buffer", "span-buffer", "gateway-usage-buffer");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"span, llm_spans, spans", "gateway-usage, gateway_usage_records, usage records"})
    void aWriterWhoseTableIsGoneIsDownInHealthHoldsItsRowsAndStoresThemOnceTheTableIsBack(String kind, String table,
                                                                                          String what) throws Exception {
        try (StoragePool pool = FaultSupport.pool(FaultSupport.postgresConfig(TestServers.postgres().databaseUrl(), schema)
                .set("TRACE_FLUSH_INTERVAL", "100ms").set("GATEWAY_RECORD_FLUSH_INTERVAL", "100ms"))) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            new LlmstoreMetrics(pool).bindTo(registry);
            IntConsumer write = writer(pool, kind);
            // Given the table is gone.
            admin("ALTER TABLE " + schema + "." + table + " RENAME TO " + table + "_away");
            for (int i = 0; i < ROWS; i++) {
                write.accept(i);
            }

            await().atMost(Duration.ofSeconds(20)).until(() -> pool.stats().buffers().get(kind).consecutiveFailures() >= 2);
            BufferedWriter.Stats stats = pool.stats().buffers().get(kind);
            assertThat(stats.buffered()).as("held, not dropped").isEqualTo(ROWS);
            assertThat(stats.dropped()).isZero();
            assertThat(pool.healthCheck().status()).isEqualTo(HealthStatus.DEGRADED);
            assertThat(pool.healthCheck().component(kind + "-buffer").orElseThrow().error())
                    .hasValueSatisfying(e -> assertThat(e).contains(ROWS + " " + what + " held").contains("42P01"));
            assertThat(registry.get("llmstore.buffer.held").tag("writer", kind).gauge().value()).isEqualTo(ROWS);
            assertThat(registry.get("llmstore.buffer.failures").tag("writer", kind).functionCounter().count())
                    .isGreaterThanOrEqualTo(2);

            // When the table is back, the flusher stores the held rows, each once.
            admin("ALTER TABLE " + schema + "." + table + "_away RENAME TO " + table);
            await().atMost(Duration.ofSeconds(20)).until(() -> pool.stats().buffers().get(kind).buffered() == 0);
            assertThat(count("SELECT count(*) FROM " + schema + "." + table)).isEqualTo(ROWS);
            assertThat(pool.healthCheck().component(kind + "-buffer").orElseThrow().status()).isEqualTo(HealthStatus.UP);
            assertThat(pool.healthCheck().status()).isEqualTo(HealthStatus.UP);
            assertThat(registry.get("llmstore.buffer.held").tag("writer", kind).gauge().value()).isZero();
            assertThat(registry.get("llmstore.buffer.rows").tag("writer", kind).tag("outcome", "written")
                    .functionCounter().count()).isEqualTo(ROWS);
        }
    }

    private static IntConsumer writer(StoragePool pool, String kind) {
        Instant t0 = Instant.parse("2026-03-01T00:00:00Z");
        if (kind.equals("span")) {
            String trace = "health-" + UUID.randomUUID();
            return i -> pool.traces().write(LlmSpan.builder().traceId(trace).spanId("s-" + i).name("chat")
                    .operation(LlmSpan.CHAT).provider("openai").model("gpt-4o").usage(100, 20)
                    .startTime(t0.plusMillis(i)).endTime(t0.plusMillis(i + 40)).build());
        }
        pool.gateway().models().registerProvider("openai", "openai");
        Model model = pool.gateway().models().register(new ModelSpec("openai", "gpt-4o", List.of(), 128_000));
        ApiKey key = pool.gateway().apiKeys().create("sk-test-" + UUID.randomUUID() + "-health", ApiKeySpec.named("health"));
        return i -> pool.gateway().records().buffered().record(new UsageRecord(0, UUID.randomUUID(), key.id(), model.id(),
                model.providerId(), t0.plusMillis(i), 100, 20, 120, new BigDecimal("0.000123"), "{}", null));
    }

    private static void admin(String sql) throws Exception {
        try (Connection c = FaultSupport.admin(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static long count(String sql) throws Exception {
        try (Connection c = FaultSupport.admin(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
