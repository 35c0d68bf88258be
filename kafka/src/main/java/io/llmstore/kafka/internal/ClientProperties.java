package io.llmstore.kafka.internal;

import io.llmstore.kafka.KafkaOptions;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** The kafka-clients properties llmstore uses, built from {@link KafkaOptions}. */
public final class ClientProperties {
    private ClientProperties() {
    }

    /**
     * Producer for data that must not be lost: idempotent, acks=all, compressed, batched, bounded blocking. Keys and
     * values are bytes (the publisher encodes them), so one producer serves events and dead letters.
     */
    public static Map<String, Object> producer(KafkaOptions o, String clientIdSuffix) {
        Map<String, Object> p = common(o, clientIdSuffix);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        // Idempotence keeps order and drops duplicates with up to 5 in-flight requests per connection.
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        p.put(ProducerConfig.RETRIES_CONFIG, Integer.MAX_VALUE);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, o.compression());
        p.put(ProducerConfig.LINGER_MS_CONFIG, (int) o.linger().toMillis());
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, o.batchSize());
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, o.bufferMemory());
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, o.maxBlock().toMillis());
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) o.deliveryTimeout().toMillis());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return p;
    }

    /** Consumer that commits by hand (after the handler succeeded) and reads bytes (decoding failures are ours). */
    public static Map<String, Object> consumer(KafkaOptions o, String groupId, String clientIdSuffix) {
        Map<String, Object> p = common(o, clientIdSuffix);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, o.maxPollRecords());
        // Kafka's 45 s default left a killed sink's partitions unconsumed for 45 s. Heartbeats at a third of the
        // session (at most Kafka's 3 s), so two can be lost before the member is declared dead.
        long session = o.sessionTimeout().toMillis();
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) session);
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) Math.max(1, Math.min(3000, session / 3)));
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return p;
    }

    /** Admin client with bounded calls. */
    public static Map<String, Object> admin(KafkaOptions o) {
        Map<String, Object> p = common(o, "admin");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) Math.max(o.requestTimeout().toMillis(), o.healthTimeout().toMillis()));
        return p;
    }

    private static Map<String, Object> common(KafkaOptions o, String clientIdSuffix) {
        Map<String, Object> p = new HashMap<>();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, o.client().bootstrapServersText());
        p.put(CommonClientConfigs.CLIENT_ID_CONFIG, o.client().clientId() + "-" + clientIdSuffix);
        p.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, (int) o.requestTimeout().toMillis());
        return p;
    }
}
