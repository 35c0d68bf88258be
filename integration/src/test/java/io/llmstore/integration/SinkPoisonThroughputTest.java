package io.llmstore.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.event.LlmEvent;
import io.llmstore.core.usage.UsageMetric;
import io.llmstore.core.usage.UsageWriter;
import io.llmstore.kafka.KafkaOptions;
import io.llmstore.kafka.KafkaSink;
import io.llmstore.testkit.TestServers;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The Kafka sink over the real usage writer: a poll batch holding one event the writer refuses must not slow the
 * sink down to one write per event. What is asserted is counted, not timed: the writer's calls with a single row
 * (bisection reaches one row only at the poison and its nearest neighbours; row by row is one call per event of the
 * batch).
 * Throughput (rows stored per second of the sink's writing, from its first write call to its last successful one)
 * is printed beside it, clean batches vs batches with one poison event each, measured in the same run.
 */
class SinkPoisonThroughputTest {
    private static final int EVENTS = 20_000;
    private static final int POISON_EVERY = 5_000; // one per poll batch (KAFKA_CONSUMER_MAX_POLL_RECORDS = 5000)

    /** What the one bad event per poll batch is. */
    enum Poison {
        /** None: the baseline. */
        NONE,
        /** A cost no usage row can hold: refused by the sink's per-event check, dead-lettered alone up front. */
        UNCONVERTIBLE,
        /** NUL in an attribute (so in metadata): refused by the usage writer for the whole batch, then bisected. */
        REFUSED_BY_THE_WRITER
    }

    /** One run: the sink's rows per second, and the writer calls it made (all, and those with a single row). */
    private record Run(double rowsPerSecond, long calls, long singleRowCalls, int poisonEvents) {
    }

    @Test
    void aBatchWithOnePoisonEventIsBisectedNotWrittenRowByRow() throws Exception {
        run(Poison.NONE); // warm-up (JIT, connections, the broker's first group): not counted
        Run clean = run(Poison.NONE);
        Run unconvertible = run(Poison.UNCONVERTIBLE);
        Run refused = run(Poison.REFUSED_BY_THE_WRITER);
        for (Run r : List.of(clean, unconvertible, refused)) {
            System.out.printf("sink: %d poison events, %d writer calls, %d of them with one row, %.0f rows/s (%.2fx"
                    + " clean)%n", r.poisonEvents, r.calls, r.singleRowCalls, r.rowsPerSecond,
                    r.rowsPerSecond / clean.rowsPerSecond);
        }
        // Row by row (00a90ae) made thousands of one-row calls per poisoned batch, and ran at 0.14x-0.36x of clean.
        assertThat(clean.singleRowCalls).as("one-row writer calls, clean batches").isLessThanOrEqualTo(2);
        assertThat(unconvertible.singleRowCalls).as("one-row writer calls: an unconvertible event is refused before"
                + " its batch is written").isLessThanOrEqualTo(2);
        // Bisection reaches one row at each poison event and at most two neighbours (a part of three splits 1 + 2).
        assertThat(refused.singleRowCalls).as("one-row writer calls with %d writer-refused events",
                refused.poisonEvents).isLessThanOrEqualTo(3L * refused.poisonEvents + 2);
        assertThat(refused.calls).as("writer calls with %d writer-refused events", refused.poisonEvents)
                .isLessThan(clean.calls + 2L * 14 * refused.poisonEvents + 20);
    }

    private static Run run(Poison poison) throws Exception {
        String prefix = "tp-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL) + "-";
        String schema = prefix.replace("-", "_") + "s";
        StorageConfig config = StorageConfig.builder()
                .databaseUrl(TestServers.postgres().databaseUrl())
                .set("DB_SCHEMA", schema).set("DB_MIGRATE_ON_START", "true").set("DB_TIMESCALEDB", "off")
                .kafkaBootstrapServers(TestServers.kafka().bootstrapServers())
                .set("KAFKA_TOPIC_PREFIX", prefix).set("KAFKA_SINK_GROUP", prefix + "sink")
                .set("KAFKA_CONSUMER_POLL_TIMEOUT", "200ms")
                .build();
        try (StoragePool pool = StoragePool.create(config)) {
            List<LlmEvent> events = new ArrayList<>(EVENTS);
            int refused = 0;
            for (int i = 0; i < EVENTS; i++) {
                boolean bad = poison != Poison.NONE && i % POISON_EVERY == POISON_EVERY / 2;
                refused += bad ? 1 : 0;
                LlmEvent.Builder b = LlmEvent.builder()
                        .timestamp(Instant.parse("2026-03-01T00:00:00Z").plusMillis(i))
                        .model("gpt-4o").provider("openai").user("user-" + (i % 13))
                        .tokens(100, 20).latency(Duration.ofMillis(200)).costUsd(new BigDecimal("0.001"));
                if (bad && poison == Poison.UNCONVERTIBLE) {
                    b.costUsd(new BigDecimal("123456789012345.5"));
                } else if (bad) {
                    b.attributes(java.util.Map.of("note", "a\u0000b"));
                }
                events.add(b.build());
            }
            // In slices: at most KafkaEventPublisher.MAX_PENDING publishes may wait at once.
            for (int i = 0; i < events.size(); i += 5_000) {
                // Longer than the producer's delivery timeout (120 s): a slow broker fails the future, with its cause.
                pool.events().publishAll(events.subList(i, Math.min(events.size(), i + 5_000))).get(150, TimeUnit.SECONDS);
            }
            TimedWriter writer = new TimedWriter(pool.usage());
            int expected = EVENTS - refused;
            long deadLetters = refused;
            try (KafkaSink sink = KafkaSink.create(pool.client(KafkaOptions.class).orElseThrow(), writer).start()) {
                await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(50))
                        .until(() -> writer.stored.get() >= expected);
                await().atMost(Duration.ofSeconds(60)).until(() -> sink.stats().deadLettered() == deadLetters);
            }
            return new Run(expected / ((writer.lastOk.get() - writer.first.get()) / 1e9), writer.calls.get(),
                    writer.singleRowCalls.get(), refused);
        } finally {
            try (Connection c = DriverManager.getConnection(TestServers.postgres().jdbcUrl(), TestServers.postgres().user(),
                    TestServers.postgres().password()); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }

    /**
     * The pool's writer, timing and counting the sink's writes: first call started, last successful call ended, rows
     * accepted, calls (failed ones included) and calls with a single row.
     */
    private static final class TimedWriter implements UsageWriter {
        private final UsageWriter delegate;
        final AtomicLong first = new AtomicLong();
        final AtomicLong lastOk = new AtomicLong();
        final AtomicLong stored = new AtomicLong();
        final AtomicLong calls = new AtomicLong();
        final AtomicLong singleRowCalls = new AtomicLong();

        TimedWriter(UsageWriter delegate) {
            this.delegate = delegate;
        }

        @Override
        public void record(UsageMetric metric) {
            recordAll(List.of(metric));
        }

        @Override
        public void recordAll(List<UsageMetric> metrics) {
            first.compareAndSet(0, System.nanoTime());
            calls.incrementAndGet();
            if (metrics.size() == 1) {
                singleRowCalls.incrementAndGet();
            }
            delegate.recordAll(metrics);
            stored.addAndGet(metrics.size());
            lastOk.set(System.nanoTime());
        }
    }
}
