package io.llmstore.kafka.internal;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.metrics.KafkaMetric;

/**
 * The application's {@code Producer<String, String>} seen as the {@code byte[]} producer the publisher sends with:
 * keys and values are decoded as UTF-8, which is lossless for what the publisher sends (JSON events and their
 * UTF-8 keys). Not used for dead letters, whose bytes are whatever arrived. {@link #close()} does nothing: the
 * producer belongs to the application. The transaction methods refuse on purpose: the publisher never calls them, and
 * beginning or committing a transaction on the application's producer would interfere with the application's own.
 */
public final class Utf8Producer implements Producer<byte[], byte[]> {
    private final Producer<String, String> producer;

    public Utf8Producer(Producer<String, String> producer) {
        this.producer = Objects.requireNonNull(producer, "producer");
    }

    /** The application's producer, as given. */
    public Producer<String, String> unwrap() {
        return producer;
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
        return producer.send(decode(record));
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
        return producer.send(decode(record), callback);
    }

    private static ProducerRecord<String, String> decode(ProducerRecord<byte[], byte[]> r) {
        return new ProducerRecord<>(r.topic(), r.partition(), r.timestamp(), text(r.key()), text(r.value()),
                r.headers());
    }

    private static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public void flush() {
        producer.flush();
    }

    @Override
    public List<PartitionInfo> partitionsFor(String topic) {
        return producer.partitionsFor(topic);
    }

    @Override
    public Map<MetricName, ? extends Metric> metrics() {
        return producer.metrics();
    }

    @Override
    public Uuid clientInstanceId(Duration timeout) {
        return producer.clientInstanceId(timeout);
    }

    /** Does nothing: the application's producer stays open. */
    @Override
    public void close() {
    }

    /** Does nothing: the application's producer stays open. */
    @Override
    public void close(Duration timeout) {
    }

    // Transactions and metric subscriptions are the application's business; the publisher uses none of them.
    @Override
    public void initTransactions() {
        throw unsupported();
    }

    @Override
    public void beginTransaction() {
        throw unsupported();
    }

    @Override
    public void sendOffsetsToTransaction(Map<TopicPartition, OffsetAndMetadata> offsets,
                                         ConsumerGroupMetadata groupMetadata) {
        throw unsupported();
    }

    @Override
    public void commitTransaction() {
        throw unsupported();
    }

    @Override
    public void abortTransaction() {
        throw unsupported();
    }

    @Override
    public void registerMetricForSubscription(KafkaMetric metric) {
        producer.registerMetricForSubscription(metric);
    }

    @Override
    public void unregisterMetricFromSubscription(KafkaMetric metric) {
        producer.unregisterMetricFromSubscription(metric);
    }

    private static UnsupportedOperationException unsupported() {
        return new UnsupportedOperationException("llmstore does not run transactions on the application's producer");
    }

    @Override
    public String toString() {
        return "Utf8Producer{the application's producer}";
    }
}
