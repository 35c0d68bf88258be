package io.llmstore.kafka;

import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.event.LlmEvent;
import io.llmstore.kafka.internal.ClientProperties;
import io.llmstore.testkit.TestServers;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;

/** Per-test isolation on the real broker: a random topic prefix and group, and small helpers. */
final class KafkaTestSupport {
    private KafkaTestSupport() {
    }

    static String bootstrap() {
        return TestServers.kafka().bootstrapServers();
    }

    /** A random prefix such as {@code t-3f9a1c-}: every topic and group of one test carries it. */
    static String randomPrefix() {
        return "t-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffffL) + "-";
    }

    /** Config for the test broker with the given prefix and extra settings (name, value pairs). */
    static StorageConfig config(String prefix, String... extra) {
        StorageConfig.Builder b = StorageConfig.builder()
                .kafkaBootstrapServers(bootstrap())
                .set("KAFKA_TOPIC_PREFIX", prefix)
                .set("KAFKA_SINK_GROUP", prefix + "sink")
                .set("KAFKA_CONSUMER_POLL_TIMEOUT", "200ms")
                .set("DB_RETRY_INITIAL_BACKOFF", "50ms")
                .set("DB_RETRY_MAX_BACKOFF", "500ms");
        for (int i = 0; i < extra.length; i += 2) {
            b.set(extra[i], extra[i + 1]);
        }
        return b.build();
    }

    static KafkaOptions options(String prefix, String... extra) {
        return KafkaOptions.from(config(prefix, extra));
    }

    static Admin admin(KafkaOptions options) {
        return Admin.create(ClientProperties.admin(options));
    }

    /** Creates every llmstore topic for {@code options}. */
    static void provision(KafkaOptions options) {
        try (Admin admin = admin(options)) {
            new KafkaTopics(admin, options.topics(), Duration.ofSeconds(30)).provision();
        }
    }

    static KafkaProducer<byte[], byte[]> rawProducer(KafkaOptions options) {
        return new KafkaProducer<>(ClientProperties.producer(options, "test-raw"));
    }

    static LlmEvent event(String user, int i) {
        return LlmEvent.builder()
                .timestamp(Instant.parse("2026-01-31T12:00:00Z").plusMillis(i))
                .model(i % 2 == 0 ? "gpt-4o" : "claude-sonnet")
                .provider(i % 2 == 0 ? "openai" : "anthropic")
                .user(user)
                .tokens(100 + i, 20 + i)
                .latency(Duration.ofMillis(300 + i % 100))
                .costUsd(new BigDecimal("0.001234"))
                .attribute("environment", "test")
                .attribute("route", "chat")
                .build();
    }

    static List<LlmEvent> events(int n) {
        List<LlmEvent> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            list.add(event("user-" + (i % 50), i));
        }
        return list;
    }

    /** Reads every record of {@code topic} from the beginning until {@code expected} arrived or the timeout ran out. */
    static List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int expected, Duration timeout) {
        Map<String, Object> props = ClientProperties.consumer(options(randomPrefix()), "reader-" + UUID.randomUUID(), "reader");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props)) {
            List<TopicPartition> parts = new ArrayList<>();
            c.partitionsFor(topic).forEach(p -> parts.add(new TopicPartition(topic, p.partition())));
            c.assign(parts);
            c.seekToBeginning(parts);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            // One more short poll so a test also sees records beyond the expected count.
            c.poll(Duration.ofMillis(300)).forEach(out::add);
        }
        return out;
    }
}
