package io.llmstore.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llmstore.core.error.ConnectionException;
import io.llmstore.core.event.LlmEvent;
import io.llmstore.core.event.LlmEventJson;
import io.llmstore.core.usage.UsageMetric;
import io.llmstore.core.usage.UsageWriter;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

/**
 * The events -> llm_usage_metrics sink on the real broker and a real PostgreSQL table (see {@link JdbcUsageWriter}):
 * exactly-once rows, a crash between write and commit, the dead-letter topic, and retries while the store fails.
 */
class KafkaSinkTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void everyPublishedEventBecomesExactlyOneRow() throws Exception {
        String prefix = KafkaTestSupport.randomPrefix();
        KafkaOptions options = KafkaTestSupport.options(prefix);
        KafkaTestSupport.provision(options);
        List<LlmEvent> events = KafkaTestSupport.events(2_000);
        try (JdbcUsageWriter writer = new JdbcUsageWriter(prefix + "sink");
             KafkaEventPublisher publisher = KafkaEventPublisher.create(options);
             KafkaSink sink = KafkaSink.create(options, writer).start()) {
            publisher.publishAll(events).get(30, TimeUnit.SECONDS);

            await().atMost(WAIT).until(() -> writer.rows() == 2_000);
            await().atMost(WAIT).until(() -> committed(options) == 2_000);

            assertThat(writer.ids()).isEqualTo(events.stream().map(LlmEvent::eventId).collect(Collectors.toSet()));
            assertThat(writer.count("WHERE environment = 'test' AND metadata->>'route' = 'chat' "
                    + "AND metadata->>'event_type' = 'completion' AND cost_usd = 0.001234")).isEqualTo(2_000);
            assertThat(sink.stats().deadLettered()).isZero();
        }
    }

    @Test
    void aConsumerKilledAfterItsWriteAndBeforeItsCommitStoresEachEventOnceAfterRestart() throws Exception {
        String prefix = KafkaTestSupport.randomPrefix();
        KafkaOptions options = KafkaTestSupport.options(prefix);
        KafkaTestSupport.provision(options);
        List<LlmEvent> events = KafkaTestSupport.events(1_000);
        try (JdbcUsageWriter writer = new JdbcUsageWriter(prefix + "crash");
             KafkaEventPublisher publisher = KafkaEventPublisher.create(options)) {
            publisher.publishAll(events).get(30, TimeUnit.SECONDS);

            // Given a sink whose process "dies" right after its first batch reached the table, before the commit.
            UsageWriter dyingAfterWrite = new UsageWriter() {
                @Override
                public void record(UsageMetric metric) {
                    recordAll(List.of(metric));
                }

                @Override
                public void recordAll(List<UsageMetric> metrics) {
                    writer.recordAll(metrics);
                    throw new SimulatedCrash();
                }
            };
            KafkaSink first = KafkaSink.create(options, dyingAfterWrite).start();
            await().atMost(WAIT).until(() -> !first.isRunning());
            first.close();
            long storedBeforeCrash = writer.rows();
            assertThat(first.failure()).containsInstanceOf(SimulatedCrash.class);
            assertThat(storedBeforeCrash).isPositive();
            assertThat(committed(options)).isZero();

            // When a new sink of the same group starts, the written-but-uncommitted batch is delivered again.
            try (KafkaSink second = KafkaSink.create(options, writer).start()) {
                await().atMost(WAIT).until(() -> committed(options) == 1_000);

                // Then each event is stored exactly once, though the writer was handed some twice.
                assertThat(writer.rows()).isEqualTo(1_000);
                assertThat(writer.ids()).hasSize(1_000);
                assertThat(writer.offered()).isEqualTo(1_000 + storedBeforeCrash);
                assertThat(second.stats().received()).isEqualTo(1_000);
            }
        }
    }

    @Test
    void badRecordsGoToTheDeadLetterTopicWithTheirReasonAndTheirNeighboursToTheTable() throws Exception {
        String prefix = KafkaTestSupport.randomPrefix();
        KafkaOptions options = KafkaTestSupport.options(prefix);
        KafkaTestSupport.provision(options);
        LlmEvent good1 = KafkaTestSupport.event("same-user", 1);
        LlmEvent good2 = KafkaTestSupport.event("same-user", 2);
        LlmEvent good3 = KafkaTestSupport.event("same-user", 3);
        LlmEvent tooExpensive = LlmEvent.builder().timestamp(good1.timestamp()).model("gpt-4o").provider("openai")
                .user("same-user").costUsd(new BigDecimal("0.0000000000000000001")).build(); // valid event; NUMERIC(28,18) cannot hold it
        String negativeTokens = LlmEventJson.encodeToString(good1).replace(good1.eventId().toString(), UUID.randomUUID().toString())
                .replace("\"input\":101", "\"input\":-3");
        String topic = options.events().name();
        byte[] key = "same-user".getBytes(StandardCharsets.UTF_8);
        try (JdbcUsageWriter writer = new JdbcUsageWriter(prefix + "dlq");
             KafkaProducer<byte[], byte[]> raw = KafkaTestSupport.rawProducer(options)) {
            raw.send(new ProducerRecord<>(topic, key, LlmEventJson.encode(good1)));
            raw.send(new ProducerRecord<>(topic, key, "{not json".getBytes(StandardCharsets.UTF_8)));
            raw.send(new ProducerRecord<>(topic, key, LlmEventJson.encode(good2)));
            raw.send(new ProducerRecord<>(topic, key, negativeTokens.getBytes(StandardCharsets.UTF_8)));
            raw.send(new ProducerRecord<>(topic, key, LlmEventJson.encode(tooExpensive)));
            raw.send(new ProducerRecord<>(topic, key, LlmEventJson.encode(good3))).get(30, TimeUnit.SECONDS);

            try (KafkaSink sink = KafkaSink.create(options, writer).start()) {
                await().atMost(WAIT).until(() -> committed(options) == 6);

                assertThat(writer.ids()).containsExactlyInAnyOrder(good1.eventId(), good2.eventId(), good3.eventId());
                assertThat(sink.stats().deadLettered()).isEqualTo(3);
            }
            List<ConsumerRecord<byte[], byte[]>> dead = KafkaTestSupport.readAll(options.deadLetter().name(), 3, WAIT);
            assertThat(dead).hasSize(3);
            Map<String, ConsumerRecord<byte[], byte[]>> byReason = dead.stream()
                    .collect(Collectors.toMap(r -> header(r, DeadLetterHeaders.REASON), r -> r));
            assertThat(byReason).containsOnlyKeys("malformed", "invalid", "rejected");

            ConsumerRecord<byte[], byte[]> malformed = byReason.get("malformed");
            assertThat(new String(malformed.value(), StandardCharsets.UTF_8)).isEqualTo("{not json");
            assertThat(malformed.key()).isEqualTo(key);
            assertThat(header(malformed, DeadLetterHeaders.TOPIC)).isEqualTo(topic);
            assertThat(header(malformed, DeadLetterHeaders.OFFSET)).isEqualTo("1");
            assertThat(header(malformed, DeadLetterHeaders.GROUP)).isEqualTo(prefix + "sink");
            assertThat(header(malformed, DeadLetterHeaders.ERROR)).startsWith("event is not valid JSON");
            assertThat(header(byReason.get("invalid"), DeadLetterHeaders.ERROR)).isEqualTo("tokens.input must be >= 0, was -3");
            assertThat(header(byReason.get("invalid"), DeadLetterHeaders.OFFSET)).isEqualTo("3");
            assertThat(header(byReason.get("rejected"), DeadLetterHeaders.ERROR)).contains("costUsd must have at most 18 decimal places");
            assertThat(header(byReason.get("rejected"), DeadLetterHeaders.OFFSET)).isEqualTo("4");
        }
    }

    @Test
    void whileTheStoreFailsRetryablyTheSinkRetriesTheSameBatchAndSkipsNothing() throws Exception {
        String prefix = KafkaTestSupport.randomPrefix();
        KafkaOptions options = KafkaTestSupport.options(prefix);
        KafkaTestSupport.provision(options);
        List<LlmEvent> events = KafkaTestSupport.events(300);
        AtomicInteger failuresLeft = new AtomicInteger(4);
        try (JdbcUsageWriter writer = new JdbcUsageWriter(prefix + "retry");
             KafkaEventPublisher publisher = KafkaEventPublisher.create(options)) {
            UsageWriter downForAWhile = new UsageWriter() {
                @Override
                public void record(UsageMetric metric) {
                    recordAll(List.of(metric));
                }

                @Override
                public void recordAll(List<UsageMetric> metrics) {
                    if (failuresLeft.getAndDecrement() > 0) {
                        throw new ConnectionException("PostgreSQL connection refused (simulated outage)");
                    }
                    writer.recordAll(metrics);
                }
            };
            publisher.publishAll(events).get(30, TimeUnit.SECONDS);
            try (KafkaSink sink = KafkaSink.create(options, downForAWhile).start()) {
                await().atMost(WAIT).until(() -> committed(options) == 300);

                assertThat(writer.rows()).isEqualTo(300);
                assertThat(sink.stats().retries()).isEqualTo(4);
                assertThat(sink.stats().deadLettered()).isZero();
                assertThat(sink.isRunning()).isTrue();
            }
        }
    }

    /** Offsets the sink group committed on the events topic, summed over partitions. */
    static long committed(KafkaOptions options) {
        try (Admin admin = KafkaTestSupport.admin(options)) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(options.sinkGroup())
                    .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            return offsets.entrySet().stream().filter(e -> e.getKey().topic().equals(options.events().name()))
                    .filter(e -> e.getValue() != null).mapToLong(e -> e.getValue().offset()).sum();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** Stands for the process dying: not a StorageException, so the consumer stops without committing. */
    static final class SimulatedCrash extends RuntimeException {
        SimulatedCrash() {
            super("simulated crash after the write, before the commit");
        }
    }

}
