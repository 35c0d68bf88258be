package io.llmstore.integration.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llmstore.core.StoragePool;
import io.llmstore.core.buffer.BufferedWriter;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.event.LlmEvent;
import io.llmstore.core.event.PublishReceipt;
import io.llmstore.kafka.KafkaEventPublisher;
import io.llmstore.kafka.KafkaSink;
import io.llmstore.testkit.TestServers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The events spool ({@code <SPOOL_DIR>/events}) on the real broker and PostgreSQL. {@code kill -9} of an application
 * publishing at full speed ({@link PublishingChild}) at random points, {@value #KILLS} times per durability on one
 * {@code SPOOL_DIR}: each child re-publishes what the killed one left; a pool on the directory publishes the rest; the
 * sink stores the topic in {@code llm_usage_metrics}. Every event a child's {@code publish} accepted is in the topic
 * (at least once) and in the table exactly once. And a broker stopped while the application publishes: every event
 * accepted during the outage arrives once it is back.
 */
class EventSpoolKillTest {
    private static final int KILLS = 5;

    @TempDir
    Path spoolDir;
    private String schema;
    private String prefix;

    @BeforeEach
    void names() {
        schema = FaultSupport.newSchema();
        prefix = "s-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL) + "-";
    }

    @AfterEach
    void cleanUp() {
        TestServers.start("kafka"); // no-op when it runs
        FaultSupport.dropSchema(schema);
    }

    @ParameterizedTest(name = "SPOOL_DURABILITY={0}")
    @ValueSource(strings = {"fsync", "os"})
    void killNineAtRandomPointsLosesNoAcceptedEventAndTheSinkStoresEachOnce(String durability) throws Exception {
        String bootstrap = TestServers.kafka().bootstrapServers();
        Set<UUID> accepted = new HashSet<>();
        long started = System.nanoTime();
        for (int kill = 0; kill < KILLS; kill++) {
            accepted.addAll(runAndKill(new String[] {bootstrap, prefix, spoolDir.toString(), durability},
                    ThreadLocalRandom.current().nextInt(300, 1_500)));
        }
        long killsMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        // When a pool opens the same spool, it publishes what the last child left; its sink stores the topic.
        try (StoragePool pool = FaultSupport.pool(config(durability))) {
            KafkaEventPublisher publisher = pool.client(KafkaEventPublisher.class).orElseThrow();
            BufferedWriter.SpoolStats spool = publisher.spoolStats().orElseThrow();
            assertThat(spool.lost()).as("torn or corrupt records found after kill -9").isZero();
            await().atMost(Duration.ofSeconds(120)).ignoreExceptions().until(() -> {
                pool.events().flush();
                return true;
            });
            assertThat(publisher.spoolStats().orElseThrow().pending()).isZero();
            KafkaSink sink = pool.client(KafkaSink.class).orElseThrow().start();
            awaitStored(accepted, () -> "in the topic " + recordsIn(pool, prefix + "llm-events") + ", spool "
                    + publisher.spoolStats().orElseThrow() + ", sink " + sink.stats());
            long inTopic = recordsIn(pool, prefix + "llm-events");
            long[] counts = FaultSupport.counts(schema);
            System.out.printf("events spool %s: %d kills in %d ms, %d events accepted, %d records in the topic"
                    + " (%d re-published), %d replayed by the last pool, %d rows stored, %d duplicates%n", durability,
                    KILLS, killsMs, accepted.size(), inTopic, inTopic - counts[1], spool.recovered(), counts[0],
                    counts[0] - counts[1]);
            assertThat(accepted.size()).as("events the children accepted").isGreaterThan(KILLS * 100);
            assertThat(inTopic).as("records in the topic").isGreaterThanOrEqualTo(accepted.size());
            assertThat(counts[0]).as("no event stored twice").isEqualTo(counts[1]);
        }
        Set<UUID> missing = new HashSet<>(accepted);
        missing.removeAll(FaultSupport.storedIds(schema));
        assertThat(missing).as("accepted events missing after kill -9 and replay").isEmpty();
    }

    /**
     * The broker stops while the application publishes (about 2,000 events/s) with a spool: publishes keep being
     * accepted (none fails), and every accepted event arrives, once in the table, after the broker is back.
     */
    @Test
    void aBrokerStoppedWhilePublishingLosesNoAcceptedEvent() throws Exception {
        try (StoragePool pool = FaultSupport.pool(config("os")
                .set("KAFKA_PRODUCER_MAX_BLOCK", "2s").set("KAFKA_REQUEST_TIMEOUT", "2s")
                .set("KAFKA_PRODUCER_DELIVERY_TIMEOUT", "4s"))) {
            KafkaEventPublisher publisher = pool.client(KafkaEventPublisher.class).orElseThrow();
            pool.client(KafkaSink.class).orElseThrow().start();
            Set<UUID> accepted = java.util.concurrent.ConcurrentHashMap.newKeySet();
            List<Throwable> refused = java.util.Collections.synchronizedList(new ArrayList<>());
            AtomicBoolean stop = new AtomicBoolean();
            Thread publishing = new Thread(() -> {
                long i = System.nanoTime() & 0xffffffffL;
                while (!stop.get()) {
                    for (int n = 0; n < 20; n++) {
                        LlmEvent e = PublishingChild.event(i++);
                        CompletableFuture<PublishReceipt> f = pool.events().publish(e);
                        if (f.isCompletedExceptionally()) {
                            refused.add(f.handle((r, t) -> t).join());
                        } else {
                            accepted.add(e.eventId());
                        }
                    }
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException ex) {
                        return;
                    }
                }
            }, "publishing");
            publishing.start();
            Thread.sleep(1_000);
            int beforeOutage = accepted.size();
            TestServers.stop("kafka");
            int atStop = accepted.size();
            try {
                Thread.sleep(6_000);
                assertThat(publisher.isBrokerAvailable()).as("broker seen as unavailable").isFalse();
                assertThat(publisher.spoolStats().orElseThrow().pending()).as("events waiting in the spool")
                        .isGreaterThan(1_000);
            } finally {
                TestServers.start("kafka");
            }
            int duringOutage = accepted.size() - atStop;
            Thread.sleep(2_000);
            stop.set(true);
            publishing.join(10_000);
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
                pool.events().flush();
                return true;
            });
            awaitStored(accepted, () -> "spool " + publisher.spoolStats().orElseThrow());
            long[] counts = FaultSupport.counts(schema);
            System.out.printf("broker stopped ~%d s with the events spool: %d events accepted (%d before the stop, %d"
                    + " while it was down), %d refused, %d resent, %d rows stored, %d duplicates%n", 6 + 17,
                    accepted.size(), beforeOutage, duringOutage, refused.size(), publisher.resends(), counts[0],
                    counts[0] - counts[1]);
            assertThat(refused).as("publishes refused during the outage").isEmpty();
            assertThat(duringOutage).as("events accepted while the broker was down").isGreaterThan(1_000);
            assertThat(counts[0]).as("no event stored twice").isEqualTo(counts[1]);
            assertThat(publisher.spoolStats().orElseThrow().pending()).isZero();
        }
    }

    /** Waits while the sink makes progress (stored rows grow) until every accepted event is stored. */
    private void awaitStored(Set<UUID> accepted, java.util.concurrent.Callable<String> state) throws Exception {
        long lastCount = -1;
        long lastProgress = System.nanoTime();
        while (true) {
            long distinct = FaultSupport.counts(schema)[1];
            if (distinct >= accepted.size() && FaultSupport.storedIds(schema).containsAll(accepted)) {
                return;
            }
            if (distinct > lastCount) {
                lastCount = distinct;
                lastProgress = System.nanoTime();
            } else if (System.nanoTime() - lastProgress > TimeUnit.SECONDS.toNanos(60)) {
                Set<UUID> missing = new HashSet<>(accepted);
                missing.removeAll(FaultSupport.storedIds(schema));
                throw new AssertionError("no progress for 60 s: " + distinct + " events stored, " + missing.size()
                        + " of " + accepted.size() + " accepted missing; " + state.call());
            }
            Thread.sleep(1_000);
        }
    }

    private StorageConfig.Builder config(String durability) {
        return FaultSupport.postgresConfig(TestServers.postgres().databaseUrl(), schema)
                .kafkaBootstrapServers(TestServers.kafka().bootstrapServers())
                .set("KAFKA_TOPIC_PREFIX", prefix)
                .set("KAFKA_SINK_GROUP", prefix + "sink")
                .set("KAFKA_CONSUMER_POLL_TIMEOUT", "200ms")
                .set("SPOOL_DIR", spoolDir.toString())
                .set("SPOOL_DURABILITY", durability);
    }

    /** Records the topic holds: the sum of its partitions' end offsets. */
    private static long recordsIn(StoragePool pool, String topic) throws Exception {
        Admin admin = pool.client(Admin.class).orElseThrow();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions()
                .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
        long sum = 0;
        for (var e : admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).values()) {
            sum += e.offset();
        }
        return sum;
    }

    /** Starts a {@link PublishingChild}, lets it publish {@code millis} after READY, kills it with SIGKILL. */
    private static Set<UUID> runAndKill(String[] args, int millis) throws Exception {
        Set<UUID> accepted = new HashSet<>();
        for (String id : ChildKill.runAndKill(PublishingChild.class, args, millis)) {
            accepted.add(UUID.fromString(id));
        }
        return accepted;
    }
}
