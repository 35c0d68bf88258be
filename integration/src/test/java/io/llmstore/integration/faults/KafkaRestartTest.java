package io.llmstore.integration.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llmstore.core.StoragePool;
import io.llmstore.core.error.StorageException;
import io.llmstore.core.event.LlmEvent;
import io.llmstore.core.event.PublishReceipt;
import io.llmstore.core.health.HealthStatus;
import io.llmstore.kafka.KafkaSink;
import io.llmstore.testkit.TestServers;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Kafka broker is stopped while the application publishes and the sink (events -> llm_usage_metrics on the real
 * PostgreSQL) consumes. Publishing fails within its configured bounds with a clear error; every acknowledged event ends
 * up in the table exactly once; after the broker returns, publishing and the sink resume by themselves.
 */
class KafkaRestartTest {
    private String schema;

    @AfterEach
    void restore() {
        TestServers.start("kafka"); // no-op when it runs
        if (schema != null) {
            FaultSupport.dropSchema(schema);
        }
    }

    @Test
    void aBrokerRestartLosesNoAcknowledgedEventAndStoresEachOnce() throws Exception {
        schema = FaultSupport.newSchema();
        String prefix = "f-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL) + "-";
        try (StoragePool pool = FaultSupport.pool(FaultSupport.postgresConfig(TestServers.postgres().databaseUrl(), schema)
                .kafkaBootstrapServers(TestServers.kafka().bootstrapServers())
                .set("KAFKA_TOPIC_PREFIX", prefix)
                .set("KAFKA_SINK_GROUP", prefix + "sink")
                .set("KAFKA_CONSUMER_POLL_TIMEOUT", "200ms")
                .set("KAFKA_PRODUCER_MAX_BLOCK", "2s")
                .set("KAFKA_REQUEST_TIMEOUT", "2s")
                .set("KAFKA_PRODUCER_LINGER", "5ms")
                .set("KAFKA_PRODUCER_DELIVERY_TIMEOUT", "4s"))) {
            KafkaSink sink = pool.client(KafkaSink.class).orElseThrow().start();
            Set<UUID> acknowledged = new HashSet<>();
            // A publish whose future failed may still have been written (e.g. its request timed out after the broker
            // wrote it): at-least-once. Such an event may be in the table; an acknowledged one must be, once.
            Set<UUID> failedMaybeWritten = new HashSet<>();

            acknowledged.addAll(publishAll(pool, events(0, 500)).acked());
            assertThat(acknowledged).hasSize(500);
            await().atMost(Duration.ofSeconds(60)).until(() -> FaultSupport.counts(schema)[0] == 500);

            TestServers.stop("kafka");
            Outcome during = new Outcome(new ArrayList<>(), new ArrayList<>());
            try {
                // Each call is bounded: send() blocks at most max.block (2 s) for the missing broker's metadata, and
                // a record already queued fails after delivery.timeout (4 s); never the 2-minute default.
                for (LlmEvent e : events(500, 3)) {
                    long t0 = System.nanoTime();
                    Outcome one = publishAll(pool, List.of(e));
                    long elapsedMs = (System.nanoTime() - t0) / 1_000_000;
                    assertThat(elapsedMs).as("ms until a publish during the outage completed").isLessThan(8_000);
                    during.acked().addAll(one.acked());
                    during.failures().addAll(one.failures());
                    failedMaybeWritten.addAll(one.failedIds());
                }
                assertThat(during.failures()).as("publishes that failed while the broker was down").isNotEmpty();
                for (Throwable f : during.failures()) {
                    assertThat(f).isInstanceOf(StorageException.class).hasMessageContaining("Kafka");
                    assertThat(((StorageException) f).isRetryable()).isTrue();
                }
                acknowledged.addAll(during.acked());
                assertThat(pool.healthCheck().status()).isEqualTo(HealthStatus.DEGRADED);
            } finally {
                TestServers.start("kafka");
            }

            // Publishing resumes by itself (the producer reconnects); retry what the outage failed, as a caller would.
            List<LlmEvent> after = new ArrayList<>(events(600, 500));
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
                Outcome probe = publishAll(pool, List.of(event(10_000 + ThreadLocalRandom.current().nextInt(1_000_000))));
                acknowledged.addAll(probe.acked());
                failedMaybeWritten.addAll(probe.failedIds());
                return probe.failures().isEmpty();
            });
            // Partition leaders come back one by one: a caller retries what failed retryably until all are acked.
            List<LlmEvent> pending = new ArrayList<>(after);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
                Outcome resumed = publishAll(pool, pending);
                acknowledged.addAll(resumed.acked());
                pending.removeIf(e -> resumed.acked().contains(e.eventId()));
                return pending.isEmpty();
            });

            // The sink resumes from its committed offsets: every acknowledged event is in the table, once.
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                    .until(() -> FaultSupport.storedIds(schema).containsAll(acknowledged));
            long[] counts = FaultSupport.counts(schema);
            assertThat(counts[0]).as("rows").isEqualTo(counts[1]);
            Set<UUID> stored = FaultSupport.storedIds(schema);
            assertThat(stored).containsAll(acknowledged);
            Set<UUID> extra = new HashSet<>(stored);
            extra.removeAll(acknowledged);
            assertThat(failedMaybeWritten).as("stored events that were never acknowledged must be failed publishes")
                    .containsAll(extra);
            assertThat(sink.isRunning()).isTrue();
            await().atMost(Duration.ofSeconds(30)).until(() -> pool.healthCheck().status() == HealthStatus.UP);
        }
    }

    /** What a batch of publishes did: acknowledged ids, failures, and the ids whose publish failed. */
    private record Outcome(List<UUID> acked, List<Throwable> failures, List<UUID> failedIds) {
        Outcome(List<UUID> acked, List<Throwable> failures) {
            this(acked, failures, new ArrayList<>());
        }
    }

    private static Outcome publishAll(StoragePool pool, List<LlmEvent> events) throws Exception {
        List<CompletableFuture<PublishReceipt>> futures = new ArrayList<>();
        for (LlmEvent e : events) {
            futures.add(pool.events().publish(e));
        }
        List<UUID> acked = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        List<UUID> failedIds = new ArrayList<>();
        for (int i = 0; i < futures.size(); i++) {
            try {
                futures.get(i).get(30, TimeUnit.SECONDS);
                acked.add(events.get(i).eventId());
            } catch (java.util.concurrent.ExecutionException e) {
                failures.add(e.getCause() instanceof CompletionException c ? c.getCause() : e.getCause());
                failedIds.add(events.get(i).eventId());
            }
        }
        return new Outcome(acked, failures, failedIds);
    }

    private static List<LlmEvent> events(int from, int count) {
        List<LlmEvent> events = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            events.add(event(i));
        }
        return events;
    }

    private static LlmEvent event(int i) {
        return LlmEvent.builder()
                .timestamp(Instant.parse("2026-03-01T00:00:00Z").plusMillis(i))
                .model("gpt-4o").provider("openai").user("user-" + (i % 13))
                .tokens(100, 20).latency(Duration.ofMillis(200)).costUsd(new BigDecimal("0.001"))
                .build();
    }
}
