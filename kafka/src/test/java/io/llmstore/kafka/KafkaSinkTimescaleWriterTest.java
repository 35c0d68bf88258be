package io.llmstore.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.event.LlmEvent;
import io.llmstore.core.usage.UsageMetric;
import io.llmstore.core.usage.UsageWriter;
import io.llmstore.testkit.TestServers;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * The sink through the real {@code llmstore-timescale} usage writer (the {@code postgres} backend found by
 * ServiceLoader, migrations applied into a per-test schema on real PostgreSQL 15): end to end from
 * {@code pool.events()} to rows, and a crash between write and commit.
 */
class KafkaSinkTimescaleWriterTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void eventsPublishedThroughThePoolBecomeUsageRowsOnceEach() throws Exception {
        String prefix = KafkaTestSupport.randomPrefix();
        try (StoragePool pool = StoragePool.create(config(prefix))) {
            KafkaSink sink = pool.client(KafkaSink.class).orElseThrow().start();
            List<LlmEvent> events = KafkaTestSupport.events(1_000);

            pool.events().publishAll(events).get(30, TimeUnit.SECONDS);

            await().atMost(WAIT).until(() -> KafkaSinkTest.committed(KafkaOptions.from(pool.config())) == 1_000);
            assertThat(count(pool, schema(prefix), "")).isEqualTo(1_000);
            assertThat(count(pool, schema(prefix), "WHERE environment = 'test' AND error_count = 0")).isEqualTo(1_000);
            assertThat(sink.stats().deadLettered()).isZero();
        }
    }

    @Test
    void cacheAndReasoningTokensAndThePriceSourceOfAnEventReachItsUsageRow() throws Exception {
        String prefix = KafkaTestSupport.randomPrefix();
        try (StoragePool pool = StoragePool.create(config(prefix))) {
            pool.client(KafkaSink.class).orElseThrow().start();
            LlmEvent event = LlmEvent.builder().timestamp(java.time.Instant.parse("2026-03-02T00:00:00Z"))
                    .model("claude-haiku-4-5").provider("anthropic").tokens(10_000, 1000).cacheTokens(6000L, 2000L)
                    .reasoningTokens(300L).costUsd(new java.math.BigDecimal("0.000000000000000101"))
                    .priceSource("@pydantic/genai-prices@0.1.8+override:deal").build();
            LlmEvent plain = LlmEvent.builder().timestamp(event.timestamp()).model("gpt-4o").provider("openai")
                    .tokens(10, 5).costUsd(new java.math.BigDecimal("0.01")).build();
            pool.events().publishAll(List.of(event, plain)).get(30, TimeUnit.SECONDS);
            await().atMost(WAIT).until(() -> count(pool, schema(prefix), "") == 2);
            assertThat(count(pool, schema(prefix), "WHERE token_cache_read = 6000 AND token_cache_write = 2000"
                    + " AND token_reasoning = 300 AND cost_usd = 0.000000000000000101"
                    + " AND price_source = '@pydantic/genai-prices@0.1.8+override:deal'")).isEqualTo(1);
            assertThat(count(pool, schema(prefix), "WHERE model_id = 'gpt-4o' AND token_cache_read IS NULL"
                    + " AND price_source = 'caller'")).isEqualTo(1);
        }
    }

    @Test
    void aCrashAfterTheWriteAndBeforeTheCommitLeavesEachEventOnceInTheTable() throws Exception {
        String prefix = KafkaTestSupport.randomPrefix();
        try (StoragePool pool = StoragePool.create(config(prefix))) {
            KafkaOptions options = KafkaOptions.from(pool.config());
            UsageWriter real = pool.usage();
            pool.events().publishAll(KafkaTestSupport.events(1_000)).get(30, TimeUnit.SECONDS);
            UsageWriter dyingAfterWrite = new UsageWriter() {
                @Override
                public void record(UsageMetric metric) {
                    recordAll(List.of(metric));
                }

                @Override
                public void recordAll(List<UsageMetric> metrics) {
                    real.recordAll(metrics);
                    throw new KafkaSinkTest.SimulatedCrash();
                }
            };
            KafkaSink first = KafkaSink.create(options, dyingAfterWrite).start();
            await().atMost(WAIT).until(() -> !first.isRunning());
            first.close();
            long beforeRestart = count(pool, schema(prefix), "");
            assertThat(beforeRestart).isPositive();
            assertThat(KafkaSinkTest.committed(options)).isZero();

            try (KafkaSink second = KafkaSink.create(options, real).start()) {
                await().atMost(WAIT).until(() -> KafkaSinkTest.committed(options) == 1_000);
                assertThat(second.stats().received()).isEqualTo(1_000);
                assertThat(count(pool, schema(prefix), "")).isEqualTo(1_000);
            }
        }
    }

    private static StorageConfig config(String prefix) {
        return StorageConfig.builder()
                .kafkaBootstrapServers(KafkaTestSupport.bootstrap())
                .databaseUrl(TestServers.postgres().databaseUrl())
                .set("DB_SCHEMA", schema(prefix))
                .set("DB_MIGRATE_ON_START", "true")
                .set("KAFKA_TOPIC_PREFIX", prefix)
                .set("KAFKA_SINK_GROUP", prefix + "sink")
                .set("KAFKA_CONSUMER_POLL_TIMEOUT", "200ms")
                .build();
    }

    private static String schema(String prefix) {
        return prefix.replace('-', '_') + "usage";
    }

    private static long count(StoragePool pool, String schema, String where) throws Exception {
        DataSource ds = pool.client(DataSource.class).orElseThrow();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM " + schema + ".llm_usage_metrics " + where)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
