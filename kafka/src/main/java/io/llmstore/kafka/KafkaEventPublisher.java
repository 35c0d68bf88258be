package io.llmstore.kafka;

import io.llmstore.core.event.EventPublisher;
import io.llmstore.core.event.LlmEvent;
import io.llmstore.core.event.LlmEventJson;
import io.llmstore.core.event.PublishReceipt;
import io.llmstore.core.error.StorageException;
import io.llmstore.kafka.internal.ClientProperties;
import io.llmstore.kafka.internal.KafkaErrors;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Publishes {@link LlmEvent}s to the events topic as {@link LlmEventJson} with kafka-clients' producer.
 *
 * <p>Producer defaults are for data that must not be lost ({@code enable.idempotence=true}, {@code acks=all},
 * lz4 compression, {@code linger.ms=5}, 64 KiB batches, all overridable through {@link KafkaSettings}). A call blocks
 * at most {@code KAFKA_PRODUCER_MAX_BLOCK} (default 5 s) when the broker is unreachable or the buffer is full; the
 * returned future then fails with a {@link io.llmstore.core.error.ConnectionException} ("Kafka broker unreachable
 * within 5000 ms") or a {@link io.llmstore.core.error.BufferFullException}. Each record carries the header
 * {@code content-type: application/json} and is keyed by {@link EventKey} (default: user, else model).
 *
 * <p>Thread-safe. {@link #close()} flushes, then closes the producer if this publisher created it
 * ({@link #create}); a producer passed to the constructor is not closed.
 */
public final class KafkaEventPublisher implements EventPublisher, AutoCloseable {
    private static final byte[] JSON = "application/json".getBytes(StandardCharsets.UTF_8);

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final EventKey key;
    private final Duration maxBlock;
    private final Duration closeTimeout;
    private final boolean ownsProducer;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * A publisher over an existing producer, which it does not close.
     *
     * @param producer     a producer with byte-array serializers
     * @param topic        the events topic
     * @param key          partition key strategy
     * @param maxBlock     the producer's {@code max.block.ms}, used in error messages
     * @param closeTimeout bound on {@link #close()}
     */
    public KafkaEventPublisher(Producer<byte[], byte[]> producer, String topic, EventKey key, Duration maxBlock,
                               Duration closeTimeout) {
        this(producer, topic, key, maxBlock, closeTimeout, false);
    }

    private KafkaEventPublisher(Producer<byte[], byte[]> producer, String topic, EventKey key, Duration maxBlock,
                                Duration closeTimeout, boolean ownsProducer) {
        this.producer = Objects.requireNonNull(producer, "producer");
        this.topic = Objects.requireNonNull(topic, "topic");
        this.key = Objects.requireNonNull(key, "key");
        this.maxBlock = Objects.requireNonNull(maxBlock, "maxBlock");
        this.closeTimeout = Objects.requireNonNull(closeTimeout, "closeTimeout");
        this.ownsProducer = ownsProducer;
    }

    /**
     * A publisher with its own producer, built from {@code options}; {@link #close()} closes it. Opens no connection
     * yet (the first publish does).
     */
    public static KafkaEventPublisher create(KafkaOptions options) {
        return new KafkaEventPublisher(new KafkaProducer<>(ClientProperties.producer(options, "publisher")),
                options.events().name(), options.eventKey(), options.maxBlock(), options.closeTimeout(), true);
    }

    /** The topic events go to. */
    public String topic() {
        return topic;
    }

    @Override
    public CompletableFuture<PublishReceipt> publish(LlmEvent event) {
        Objects.requireNonNull(event, "event");
        CompletableFuture<PublishReceipt> result = new CompletableFuture<>();
        if (closed.get()) {
            result.completeExceptionally(new StorageException("Kafka publisher is closed", false));
            return result;
        }
        String k = key.keyOf(event);
        RecordHeaders headers = new RecordHeaders();
        headers.add("content-type", JSON);
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null, event.timestamp().toEpochMilli(),
                k == null ? null : k.getBytes(StandardCharsets.UTF_8), LlmEventJson.encode(event), headers);
        try {
            producer.send(record, (metadata, error) -> {
                if (error != null) {
                    result.completeExceptionally(KafkaErrors.translate(error, "Kafka: publish to " + topic, maxBlock));
                } else {
                    result.complete(new PublishReceipt(event.eventId(), metadata.topic(), metadata.partition(),
                            metadata.offset(), Instant.ofEpochMilli(metadata.timestamp())));
                }
            });
        } catch (RuntimeException e) {
            // send() throws directly for some failures (producer closed, interrupted, serializer errors).
            result.completeExceptionally(KafkaErrors.translate(e, "Kafka: publish to " + topic, maxBlock));
        }
        return result;
    }

    /** Blocks until every event sent so far was acknowledged or failed (their futures tell which). */
    @Override
    public void flush() {
        try {
            producer.flush();
        } catch (RuntimeException e) {
            throw KafkaErrors.translate(e, "Kafka: flush", maxBlock);
        }
    }

    /** Flushes and, when this publisher created the producer, closes it within the close timeout. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (ownsProducer) {
            // close(timeout) flushes what it can within the bound, then drops the rest (their futures fail).
            producer.close(closeTimeout);
        } else {
            flush();
        }
    }

    @Override
    public String toString() {
        return "KafkaEventPublisher{topic=" + topic + ", key=" + key + ", ownsProducer=" + ownsProducer + "}";
    }
}
