package io.llmstore.integration.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.event.LlmEvent;
import io.llmstore.core.event.PublishReceipt;
import io.llmstore.kafka.KafkaSink;
import io.llmstore.testkit.TestServers;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Sink scale-out under a rebalance, on the 6-partition events topic: sink instance A (its own JVM) consumes while the
 * application publishes; instance B (this JVM, same group) joins, then A is killed with SIGKILL mid-run, so its
 * partitions move to B after the session timeout and B re-reads whatever A stored but had not committed. Rows equal
 * events: every acknowledged event stored exactly once.
 */
class SinkRebalanceTest {
    private String schema;

    @AfterEach
    void cleanUp() {
        if (schema != null) {
            FaultSupport.dropSchema(schema);
        }
    }

    /** The sink configuration both instances use (small batches, so a run spans many commits). */
    static StorageConfig.Builder sinkConfig(String databaseUrl, String schema, String bootstrap, String prefix,
                                            String group) {
        return FaultSupport.postgresConfig(databaseUrl, schema)
                .kafkaBootstrapServers(bootstrap)
                .set("KAFKA_TOPIC_PREFIX", prefix)
                .set("KAFKA_SINK_GROUP", group)
                .set("KAFKA_CONSUMER_MAX_POLL_RECORDS", "200")
                .set("KAFKA_CONSUMER_POLL_TIMEOUT", "200ms")
                .set("KAFKA_CONSUMER_SESSION_TIMEOUT", "6s");
    }

    @Test
    void anInstanceAddedAndOneKilledMidRunStoreEveryEventOnce() throws Exception {
        schema = FaultSupport.newSchema();
        String url = TestServers.postgres().databaseUrl();
        String bootstrap = TestServers.kafka().bootstrapServers();
        String prefix = "rb-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL) + "-";
        String group = prefix + "sink";
        try (StoragePool app = FaultSupport.pool(sinkConfig(url, schema, bootstrap, prefix, group))) {
            Set<UUID> acknowledged = ConcurrentHashMap.newKeySet();
            Set<UUID> failed = ConcurrentHashMap.newKeySet();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger next = new AtomicInteger();
            Thread publisher = new Thread(() -> {
                while (!stop.get()) {
                    List<LlmEvent> slice = new ArrayList<>();
                    for (int i = 0; i < 500; i++) {
                        slice.add(event(next.getAndIncrement()));
                    }
                    List<CompletableFuture<PublishReceipt>> futures = new ArrayList<>();
                    slice.forEach(e -> futures.add(app.events().publish(e)));
                    for (int i = 0; i < futures.size(); i++) {
                        try {
                            futures.get(i).get(60, TimeUnit.SECONDS);
                            acknowledged.add(slice.get(i).eventId());
                        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                            failed.add(slice.get(i).eventId());
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "publisher");

            File stderr = File.createTempFile("sink-child", ".log");
            String java = ProcessHandle.current().info().command().orElse("java");
            Process a = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", SinkChild.class.getName(), url, schema, bootstrap,
                    prefix, group).redirectError(stderr).start();
            KafkaSink b = null;
            long storedAtKill;
            try {
                CountDownLatch ready = new CountDownLatch(1);
                Thread reader = new Thread(() -> {
                    try (BufferedReader in = new BufferedReader(new InputStreamReader(a.getInputStream(),
                            StandardCharsets.UTF_8))) {
                        for (String line; (line = in.readLine()) != null; ) {
                            if (line.equals("READY")) {
                                ready.countDown();
                            }
                        }
                    } catch (Exception e) {
                        // the child is gone
                    }
                }, "sink-child-stdout");
                reader.start();
                assertThat(ready.await(60, TimeUnit.SECONDS)).as("sink A ready; its stderr: %s", stderr).isTrue();
                publisher.start();
                await().atMost(Duration.ofSeconds(60)).until(() -> FaultSupport.counts(schema)[0] >= 5_000);

                b = app.client(KafkaSink.class).orElseThrow().start(); // B joins: the group rebalances
                long before = FaultSupport.counts(schema)[0];
                await().atMost(Duration.ofSeconds(60)).until(() -> FaultSupport.counts(schema)[0] >= before + 10_000);

                a.destroyForcibly(); // SIGKILL: no leave, no commit; its partitions wait out the session timeout
                assertThat(a.waitFor(30, TimeUnit.SECONDS)).isTrue();
                storedAtKill = FaultSupport.counts(schema)[0];
                long afterKill = storedAtKill;
                await().atMost(Duration.ofSeconds(60)).until(() -> FaultSupport.counts(schema)[0] >= afterKill + 10_000);
            } finally {
                stop.set(true);
                publisher.join(120_000);
                a.destroyForcibly();
            }

            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                    .until(() -> FaultSupport.storedIds(schema).containsAll(acknowledged));
            long[] counts = FaultSupport.counts(schema);
            assertThat(counts[0]).as("rows equal distinct events").isEqualTo(counts[1]);
            Set<UUID> stored = FaultSupport.storedIds(schema);
            assertThat(stored).containsAll(acknowledged);
            Set<UUID> extra = new HashSet<>(stored);
            extra.removeAll(acknowledged);
            assertThat(failed).as("stored events that were never acknowledged must be failed publishes").containsAll(extra);
            assertThat(b.isRunning()).isTrue();
            System.out.printf("sink rebalance: %d events acknowledged, %d failed; A killed with %d rows stored; %d rows"
                    + " in the end, each event once%n", acknowledged.size(), failed.size(), storedAtKill, counts[0]);
        }
    }

    private static LlmEvent event(int i) {
        return LlmEvent.builder()
                .timestamp(Instant.parse("2026-03-01T00:00:00Z").plusMillis(i))
                .model("gpt-4o").provider("openai").user("user-" + (i % 101))
                .tokens(100, 20).latency(Duration.ofMillis(200)).costUsd(new BigDecimal("0.001"))
                .build();
    }
}
