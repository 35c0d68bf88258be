package io.llmstore.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmstore.core.buffer.BufferedWriter;
import io.llmstore.core.buffer.SpoolDurability;
import io.llmstore.core.buffer.SpoolSettings;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.error.BufferFullException;
import io.llmstore.core.error.ConfigException;
import io.llmstore.core.event.LlmEvent;
import io.llmstore.core.event.LlmEventJson;
import io.llmstore.core.event.PublishReceipt;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The publisher with a spool ({@code <SPOOL_DIR>/events}) against the real broker, and against a broker that is not
 * there: acknowledged events are trimmed, events accepted while the broker is away (past memory: on the disk only)
 * are published by the next publisher on the directory, a full spool refuses, and one process holds a directory.
 */
class KafkaEventPublisherSpoolTest {
    @TempDir
    Path dir;

    @Test
    void everySpooledEventIsAcknowledgedAndTheSpoolIsTrimmedToNothing() throws Exception {
        String prefix = KafkaTestSupport.randomPrefix();
        KafkaOptions options = KafkaTestSupport.options(prefix);
        KafkaTestSupport.provision(options);
        List<LlmEvent> events = KafkaTestSupport.events(5_000); // 50 users over 6 partitions: acks out of order
        try (KafkaEventPublisher publisher = KafkaEventPublisher.create(options, SpoolSettings.of(dir))) {
            List<PublishReceipt> receipts = publisher.publishAll(events).get(60, TimeUnit.SECONDS);
            assertThat(receipts).hasSize(5_000);
            publisher.flush();
            BufferedWriter.SpoolStats s = publisher.spoolStats().orElseThrow();
            assertThat(s.durability()).isEqualTo(SpoolDurability.OS);
            assertThat(s.pending()).as("spooled events not acknowledged after flush").isZero();
            assertThat(s.diskOnly()).isZero();
            assertThat(s.recovered()).isZero();
        }
        assertThat(segments()).as("segments left after every event was acknowledged").isEmpty();
        Set<UUID> read = ids(KafkaTestSupport.readAll(prefix + "llm-events", 5_000, Duration.ofSeconds(30)));
        assertThat(read).isEqualTo(events.stream().map(LlmEvent::eventId).collect(Collectors.toSet()));
    }

    /**
     * The broker is not there: 15,000 publishes (more than MAX_PENDING, so most wait on the disk only) are accepted
     * at once; at close they stay in the spool; a publisher on the same directory and the real broker publishes every
     * one.
     */
    @Test
    void eventsAcceptedWhileTheBrokerIsAwayArePublishedByTheNextPublisherOnTheSpool() throws Exception {
        String prefix = KafkaTestSupport.randomPrefix();
        SpoolSettings spool = SpoolSettings.of(dir).withDurability(SpoolDurability.FSYNC);
        List<LlmEvent> events = KafkaTestSupport.events(15_000);
        List<LlmEvent> oneByOne = events.subList(0, 200); // one group commit each; the rest in one publishAll
        List<CompletableFuture<PublishReceipt>> futures = new ArrayList<>();
        CompletableFuture<List<PublishReceipt>> all;
        try (KafkaEventPublisher away = KafkaEventPublisher.create(deadBroker(prefix), spool)) {
            long t0 = System.nanoTime();
            for (LlmEvent e : oneByOne) {
                futures.add(away.publish(e));
            }
            long oneMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            long t1 = System.nanoTime();
            all = away.publishAll(events.subList(200, 15_000));
            long allMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1);
            System.out.printf("broker away, spool fsync, caller's thread: 200 publish() %d ms, publishAll(14800) %d ms%n",
                    oneMs, allMs);
            assertThat(futures).noneMatch(CompletableFuture::isCompletedExceptionally);
            assertThat(all).isNotCompleted();
            BufferedWriter.SpoolStats s = away.spoolStats().orElseThrow();
            assertThat(s.pending()).isEqualTo(15_000);
            assertThat(s.diskOnly()).as("events past memory, on the disk only").isGreaterThan(4_000);
            assertThat(s.fsyncs()).isPositive();
            assertThatThrownBy(away::flush).hasMessageContaining("broker is unavailable")
                    .hasMessageContaining("events wait in the spool");
        }
        assertThat(futures).allMatch(CompletableFuture::isCompletedExceptionally);
        assertThatThrownBy(() -> futures.get(199).get()).isInstanceOf(ExecutionException.class)
                .cause().hasMessageContaining("stays in the spool " + dir);
        assertThat(all).isCompletedExceptionally();

        KafkaOptions options = KafkaTestSupport.options(prefix);
        KafkaTestSupport.provision(options);
        try (KafkaEventPublisher back = KafkaEventPublisher.create(options, spool)) {
            assertThat(back.spoolStats().orElseThrow().recovered()).isEqualTo(15_000);
            LlmEvent after = KafkaTestSupport.event("user-after", 1);
            PublishReceipt receipt = back.publish(after).get(60, TimeUnit.SECONDS);
            assertThat(receipt.eventId()).isEqualTo(after.eventId());
            back.flush();
            assertThat(back.spoolStats().orElseThrow().pending()).isZero();
        }
        assertThat(segments()).isEmpty();
        Set<UUID> read = ids(KafkaTestSupport.readAll(prefix + "llm-events", 15_001, Duration.ofSeconds(60)));
        assertThat(read).hasSize(15_001).containsAll(events.stream().map(LlmEvent::eventId).toList());
    }

    @Test
    void aFullSpoolRefusesAtOnceAndWhatItAcceptedIsPublishedLater() throws Exception {
        String prefix = KafkaTestSupport.randomPrefix();
        SpoolSettings spool = SpoolSettings.of(dir).withMaxBytes(SpoolSettings.MIN_MAX_BYTES);
        Set<UUID> accepted = new HashSet<>();
        BufferFullException refused = null;
        try (KafkaEventPublisher away = KafkaEventPublisher.create(deadBroker(prefix), spool)) {
            for (int i = 0; i < 1_000 && refused == null; i++) {
                LlmEvent e = KafkaTestSupport.event("u", i);
                CompletableFuture<PublishReceipt> f = away.publish(e);
                if (f.isCompletedExceptionally()) {
                    refused = (BufferFullException) f.handle((r, t) -> t).join();
                } else {
                    accepted.add(e.eventId());
                }
            }
        }
        assertThat(refused).as("a publish refused by the full spool").isNotNull();
        assertThat(refused.getMessage()).contains("events spool is full", "SPOOL_MAX_BYTES is 65536");
        assertThat(refused.isRetryable()).isTrue();
        assertThat(accepted.size()).isBetween(50, 500);

        KafkaOptions options = KafkaTestSupport.options(prefix);
        KafkaTestSupport.provision(options);
        try (KafkaEventPublisher back = KafkaEventPublisher.create(options, spool)) {
            back.flush();
        }
        assertThat(ids(KafkaTestSupport.readAll(prefix + "llm-events", accepted.size(), Duration.ofSeconds(30))))
                .isEqualTo(accepted);
    }

    @Test
    void aSecondPublisherOnTheSameSpoolIsRefusedNamingSpoolDir() {
        KafkaOptions options = deadBroker(KafkaTestSupport.randomPrefix());
        try (KafkaEventPublisher first = KafkaEventPublisher.create(options, SpoolSettings.of(dir))) {
            assertThatThrownBy(() -> KafkaEventPublisher.create(options, SpoolSettings.of(dir)))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("SPOOL_DIR: the spool directory " + dir + " is in use by another writer");
        }
    }

    @Test
    void spoolSettingsComeFromSpoolDirUnderEvents() {
        StorageConfig config = StorageConfig.builder().set("SPOOL_DIR", dir.toString())
                .set("SPOOL_DURABILITY", "fsync").build();
        SpoolSettings s = SpoolSettings.from(config.settings(), "events").orElseThrow();
        assertThat(s.dir()).isEqualTo(dir.resolve("events"));
        assertThat(s.durability()).isEqualTo(SpoolDurability.FSYNC);
    }

    private static KafkaOptions deadBroker(String prefix) {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort(); // free now, and nothing listens once closed
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return KafkaOptions.from(StorageConfig.builder().kafkaBootstrapServers("127.0.0.1:" + closedPort)
                .set("KAFKA_TOPIC_PREFIX", prefix).set("KAFKA_PRODUCER_MAX_BLOCK", "500ms")
                .set("KAFKA_CLOSE_TIMEOUT", "2s").build());
    }

    private List<Path> segments() throws java.io.IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".seg")).toList();
        }
    }

    private static Set<UUID> ids(List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> records) {
        Set<UUID> out = new HashSet<>();
        records.forEach(r -> out.add(LlmEventJson.decode(r.value()).eventId()));
        return out;
    }
}
