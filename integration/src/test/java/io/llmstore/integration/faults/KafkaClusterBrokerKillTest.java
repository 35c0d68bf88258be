package io.llmstore.integration.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llmstore.core.StoragePool;
import io.llmstore.core.event.LlmEvent;
import io.llmstore.core.event.PublishReceipt;
import io.llmstore.kafka.KafkaSink;
import io.llmstore.testkit.TestServers;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A 3-node Kafka cluster (the cluster lane: replication factor 3, {@code min.insync.replicas=2}) loses the leader of
 * the events topic's first partition to SIGKILL while the application publishes and the sink (events ->
 * llm_usage_metrics on the real PostgreSQL) consumes. Publishing goes on through the two live nodes, and every
 * acknowledged event is stored exactly once. Fails (never skips) without the cluster lane.
 */
class KafkaClusterBrokerKillTest {
    private String schema;

    @AfterEach
    void restore() {
        TestServers.start("kafka-cluster"); // brings the killed node back (a no-op when all run)
        if (schema != null) {
            FaultSupport.dropSchema(schema);
        }
    }

    @Test
    void killingAPartitionLeaderDuringPublishAndSinkStoresEveryAcknowledgedEventOnce() throws Exception {
        schema = FaultSupport.newSchema();
        String bootstrap = TestServers.kafkaCluster().bootstrapServers();
        String prefix = "kc-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL) + "-";
        try (StoragePool pool = FaultSupport.pool(FaultSupport.postgresConfig(TestServers.postgres().databaseUrl(), schema)
                .kafkaBootstrapServers(bootstrap)
                .set("KAFKA_REPLICATION_FACTOR", "3")
                .set("KAFKA_TOPIC_PREFIX", prefix)
                .set("KAFKA_SINK_GROUP", prefix + "sink")
                .set("KAFKA_CONSUMER_POLL_TIMEOUT", "200ms")
                .set("KAFKA_REQUEST_TIMEOUT", "3s")
                .set("KAFKA_PRODUCER_MAX_BLOCK", "3s")
                .set("KAFKA_PRODUCER_DELIVERY_TIMEOUT", "20s"));
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            String topic = prefix + "llm-events";
            TopicDescription described = admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS)
                    .get(topic);
            assertThat(described.partitions()).allSatisfy(p -> assertThat(p.replicas()).hasSize(3));
            Config config = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, topic)))
                    .all().get(10, TimeUnit.SECONDS).values().iterator().next();
            assertThat(config.get("min.insync.replicas").value()).isEqualTo("2");
            int leader = described.partitions().get(0).leader().id();

            KafkaSink sink = pool.client(KafkaSink.class).orElseThrow().start();
            Set<UUID> acknowledged = ConcurrentHashMap.newKeySet();
            Set<UUID> failed = ConcurrentHashMap.newKeySet();
            AtomicLong ackedAfterKill = new AtomicLong();
            AtomicBoolean killed = new AtomicBoolean();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger next = new AtomicInteger();
            Thread publisher = new Thread(() -> {
                while (!stop.get()) {
                    List<LlmEvent> slice = new ArrayList<>();
                    for (int i = 0; i < 500; i++) {
                        slice.add(event(next.getAndIncrement()));
                    }
                    List<CompletableFuture<PublishReceipt>> futures = new ArrayList<>();
                    slice.forEach(e -> futures.add(pool.events().publish(e)));
                    for (int i = 0; i < futures.size(); i++) {
                        try {
                            futures.get(i).get(60, TimeUnit.SECONDS);
                            acknowledged.add(slice.get(i).eventId());
                            if (killed.get()) {
                                ackedAfterKill.incrementAndGet();
                            }
                        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                            failed.add(slice.get(i).eventId()); // may still have been written: at-least-once
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                }
            }, "publisher");
            publisher.start();
            long killedAt;
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= 2_000);
                killNode(leader);
                killed.set(true);
                killedAt = System.nanoTime();
                await().atMost(Duration.ofSeconds(60)).until(() -> ackedAfterKill.get() >= 3_000);
            } finally {
                stop.set(true);
                publisher.join(120_000);
            }
            long resumedMs = (System.nanoTime() - killedAt) / 1_000_000;

            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                    .until(() -> FaultSupport.storedIds(schema).containsAll(acknowledged));
            long[] counts = FaultSupport.counts(schema);
            assertThat(counts[0]).as("rows equal distinct events: each stored once").isEqualTo(counts[1]);
            Set<UUID> stored = FaultSupport.storedIds(schema);
            assertThat(stored).containsAll(acknowledged);
            Set<UUID> extra = new java.util.HashSet<>(stored);
            extra.removeAll(acknowledged);
            assertThat(failed).as("stored events that were never acknowledged must be failed publishes").containsAll(extra);
            assertThat(sink.isRunning()).isTrue();
            System.out.printf("kafka cluster: node %d (leader of partition 0) killed; %d events acknowledged (%d after the"
                    + " kill, 3,000 of them within %d ms), %d publishes failed, %d rows stored, each once%n", leader,
                    acknowledged.size(), ackedAfterKill.get(), resumedMs, failed.size(), counts[0]);
        }
    }

    private static void killNode(int nodeId) throws Exception {
        if (!TestServers.canRestart("kafka-cluster")) {
            throw new IllegalStateException("killing a Kafka node needs the scripts/test-servers Kafka cluster");
        }
        Path pidFile = null;
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(".test-servers/kafka-cluster/" + nodeId + "/pid");
            if (Files.isRegularFile(candidate)) {
                pidFile = candidate;
                break;
            }
        }
        if (pidFile == null) {
            throw new IllegalStateException("no .test-servers/kafka-cluster/" + nodeId + "/pid");
        }
        Process p = new ProcessBuilder("kill", "-KILL", Files.readString(pidFile).trim()).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("kill -KILL of Kafka node " + nodeId + " failed");
        }
    }

    private static LlmEvent event(int i) {
        return LlmEvent.builder()
                .timestamp(Instant.parse("2026-03-01T00:00:00Z").plusMillis(i))
                .model("gpt-4o").provider("openai").user("user-" + (i % 13))
                .tokens(100, 20).latency(Duration.ofMillis(200)).costUsd(new BigDecimal("0.001"))
                .build();
    }
}
