package io.llmstore.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmstore.core.error.ConnectionException;
import io.llmstore.core.event.LlmEvent;
import io.llmstore.core.event.LlmEventJson;
import io.llmstore.core.event.PublishReceipt;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** The publisher against the real broker: receipts, keys, 10,000 events read back, and a dead broker. */
class KafkaEventPublisherTest {

    @Test
    void publishReturnsTheRecordCoordinatesAndTheRecordHoldsTheEventAsSnakeCaseJson() throws Exception {
        String prefix = KafkaTestSupport.randomPrefix();
        KafkaOptions options = KafkaTestSupport.options(prefix);
        KafkaTestSupport.provision(options);
        LlmEvent event = KafkaTestSupport.event("user-7", 1);
        try (KafkaEventPublisher publisher = KafkaEventPublisher.create(options)) {
            PublishReceipt receipt = publisher.publish(event).get(30, TimeUnit.SECONDS);

            assertThat(receipt.eventId()).isEqualTo(event.eventId());
            assertThat(receipt.topic()).isEqualTo(prefix + "llm-events");
            assertThat(receipt.partition()).isBetween(0, 5);
            assertThat(receipt.offset()).isZero();
        }
        ConsumerRecord<byte[], byte[]> record = KafkaTestSupport.readAll(prefix + "llm-events", 1, Duration.ofSeconds(20)).get(0);
        assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo("user-7");
        assertThat(new String(record.value(), StandardCharsets.UTF_8))
                .contains("\"event_id\":\"" + event.eventId() + "\"", "\"model_id\":\"claude-sonnet\"",
                        "\"tokens\":{\"input\":101,\"output\":21}", "\"user_id\":\"user-7\"", "\"cost_usd\":0.001234");
        assertThat(LlmEventJson.decode(record.value())).isEqualTo(event);
    }

    @Test
    void eventsOfOneUserLandInOnePartitionInPublishOrder() throws Exception {
        String prefix = KafkaTestSupport.randomPrefix();
        KafkaOptions options = KafkaTestSupport.options(prefix);
        KafkaTestSupport.provision(options);
        try (KafkaEventPublisher publisher = KafkaEventPublisher.create(options)) {
            List<LlmEvent> events = java.util.stream.IntStream.range(0, 200)
                    .mapToObj(i -> KafkaTestSupport.event("user-" + (i % 4), i)).toList();
            List<PublishReceipt> receipts = publisher.publishAll(events).get(30, TimeUnit.SECONDS);

            for (int u = 0; u < 4; u++) {
                int user = u;
                List<PublishReceipt> mine = java.util.stream.IntStream.range(0, 200).filter(i -> i % 4 == user)
                        .mapToObj(receipts::get).toList();
                assertThat(mine.stream().map(PublishReceipt::partition).distinct()).hasSize(1);
                assertThat(mine.stream().map(PublishReceipt::offset).toList()).isSorted();
            }
        }
    }

    @Test
    void tenThousandPublishedEventsAreAllConsumedWithTheSameIds() throws Exception {
        String prefix = KafkaTestSupport.randomPrefix();
        KafkaOptions options = KafkaTestSupport.options(prefix);
        KafkaTestSupport.provision(options);
        List<LlmEvent> events = KafkaTestSupport.events(10_000);
        try (KafkaEventPublisher publisher = KafkaEventPublisher.create(options)) {
            List<CompletableFuture<PublishReceipt>> futures = events.stream().map(publisher::publish).toList();
            publisher.flush();
            assertThat(futures).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
        }
        List<ConsumerRecord<byte[], byte[]>> records = KafkaTestSupport.readAll(prefix + "llm-events", 10_000, Duration.ofSeconds(60));

        Set<UUID> published = events.stream().map(LlmEvent::eventId).collect(Collectors.toSet());
        List<UUID> consumed = records.stream().map(r -> LlmEventJson.decode(r.value()).eventId()).toList();
        assertThat(consumed).hasSize(10_000);
        assertThat(new HashSet<>(consumed)).isEqualTo(published);
    }

    @Test
    void aBrokerThatIsNotThereFailsThePublishWithinMaxBlockSayingSo() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort(); // free now, and nothing listens once closed
        }
        KafkaOptions options = KafkaOptions.from(io.llmstore.core.config.StorageConfig.builder()
                .kafkaBootstrapServers("127.0.0.1:" + closedPort).set("KAFKA_PRODUCER_MAX_BLOCK", "1500ms").build());
        try (KafkaEventPublisher publisher = KafkaEventPublisher.create(options)) {
            long start = System.nanoTime();
            CompletableFuture<PublishReceipt> future = publisher.publish(KafkaTestSupport.event("u", 1));
            assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(ConnectionException.class)
                    .hasMessageContaining("Kafka broker unreachable within 1500 ms (KAFKA_PRODUCER_MAX_BLOCK)")
                    .hasMessageContaining("llm-events");
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(elapsedMs).isBetween(1_400L, 4_000L);
        }
    }

    /**
     * With the broker down, publish() returns at once, warm or cold (it used to block its caller for
     * KAFKA_PRODUCER_MAX_BLOCK, 5 s by default, on every call); the first future fails after max.block, and later
     * ones fail at once with a retryable error.
     */
    @Test
    void withTheBrokerDownPublishNeverBlocksItsCallerAndLaterPublishesFailAtOnce() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        KafkaOptions options = KafkaOptions.from(io.llmstore.core.config.StorageConfig.builder()
                .kafkaBootstrapServers("127.0.0.1:" + closedPort).set("KAFKA_PRODUCER_MAX_BLOCK", "1500ms").build());
        try (KafkaEventPublisher publisher = KafkaEventPublisher.create(options)) {
            LlmEvent first = KafkaTestSupport.event("u", 1);
            io.llmstore.core.event.LlmEventJson.encode(first); // JSON classes loaded: time only what Kafka costs
            long t0 = System.nanoTime();
            CompletableFuture<PublishReceipt> cold = publisher.publish(first);
            long coldCallMs = (System.nanoTime() - t0) / 1_000_000;
            assertThatThrownBy(() -> cold.get(10, TimeUnit.SECONDS)).cause().isInstanceOf(ConnectionException.class);
            assertThat(publisher.isBrokerAvailable()).isFalse();

            long worstWarmCallNanos = 0;
            List<CompletableFuture<PublishReceipt>> warm = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                long c0 = System.nanoTime();
                warm.add(publisher.publish(KafkaTestSupport.event("u", i)));
                worstWarmCallNanos = Math.max(worstWarmCallNanos, System.nanoTime() - c0);
            }
            System.out.printf("publish() caller-thread time with the broker down: cold %d ms, worst of 20 warm %.3f ms"
                    + " (KAFKA_PRODUCER_MAX_BLOCK 1500 ms)%n", coldCallMs, worstWarmCallNanos / 1e6);
            assertThat(coldCallMs).isLessThan(100);
            assertThat(worstWarmCallNanos).isLessThan(TimeUnit.MILLISECONDS.toNanos(100));
            for (CompletableFuture<PublishReceipt> f : warm) {
                assertThat(f).isCompletedExceptionally();
                assertThatThrownBy(f::join).cause().isInstanceOf(ConnectionException.class)
                        .hasMessageContaining("broker is unavailable")
                        .satisfies(e -> assertThat(((ConnectionException) e).isRetryable()).isTrue());
            }
        }
    }
}
