package io.llmstore.kafka;

import io.llmstore.core.error.BufferFullException;
import io.llmstore.core.error.ConnectionException;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes {@link LlmEvent}s to the events topic as {@link LlmEventJson} with kafka-clients' producer.
 *
 * <p>Producer defaults are for data that must not be lost ({@code enable.idempotence=true}, {@code acks=all},
 * lz4 compression, {@code linger.ms=5}, 64 KiB batches, all overridable through {@link KafkaSettings}). Each record
 * carries the header {@code content-type: application/json} and is keyed by {@link EventKey} (default: user, else
 * model).
 *
 * <p><b>The caller's thread never waits for Kafka.</b> {@link #publish} encodes the event and hands it to this
 * publisher's one sender thread (which keeps the order of calls), and returns; only that thread calls
 * {@code Producer.send}, which may block up to {@code KAFKA_PRODUCER_MAX_BLOCK} for broker metadata or buffer space.
 * The future fails instead of the caller blocking:
 * <ul>
 *   <li>with a retryable {@link ConnectionException} ("Kafka broker unreachable within 5000 ms
 *       (KAFKA_PRODUCER_MAX_BLOCK)") when the broker did not answer; from then on every publish fails at once with a
 *       retryable {@code ConnectionException}, while a background probe asks the broker about once a second, and
 *       publishing resumes by itself when it answers;</li>
 *   <li>with a retryable {@link BufferFullException} when {@link #MAX_PENDING} publishes already wait for the
 *       sender thread, or the producer's buffer stayed full for {@code KAFKA_PRODUCER_MAX_BLOCK}.</li>
 * </ul>
 *
 * <p>Thread-safe. {@link #close()} sends what is pending, flushes, then closes the producer if this publisher created
 * it ({@link #create}); a producer passed to the constructor is not closed.
 */
public final class KafkaEventPublisher implements EventPublisher, AutoCloseable {
    /** Most publishes waiting for the sender thread; one more fails at once with a {@link BufferFullException}. */
    public static final int MAX_PENDING = 10_000;
    /** Pause between two probes of an unavailable broker. */
    static final Duration PROBE_INTERVAL = Duration.ofSeconds(1);

    private static final Logger log = LoggerFactory.getLogger(KafkaEventPublisher.class);
    private static final byte[] JSON = "application/json".getBytes(StandardCharsets.UTF_8);

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final EventKey key;
    private final Duration maxBlock;
    private final Duration closeTimeout;
    private final boolean ownsProducer;
    private final Runnable brokerProbe;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean probing = new AtomicBoolean();
    private final ArrayBlockingQueue<Pending> pending = new ArrayBlockingQueue<>(MAX_PENDING);
    private final Thread sender;
    /** Why the broker is taken as unavailable, or null while it answers. */
    private volatile String unavailable;

    /**
     * A publisher over an existing producer, which it does not close. While the broker is unavailable it is probed
     * with {@code producer.partitionsFor(topic)}.
     *
     * @param producer     a producer with byte-array serializers
     * @param topic        the events topic
     * @param key          partition key strategy
     * @param maxBlock     the producer's {@code max.block.ms}, used in error messages
     * @param closeTimeout bound on {@link #close()}
     */
    public KafkaEventPublisher(Producer<byte[], byte[]> producer, String topic, EventKey key, Duration maxBlock,
                               Duration closeTimeout) {
        this(producer, topic, key, maxBlock, closeTimeout, false, null);
    }

    /**
     * As {@link #KafkaEventPublisher(Producer, String, EventKey, Duration, Duration)}, with the check that tells the
     * broker answers again.
     *
     * @param brokerProbe returns when the broker answers (and is ready: e.g. topics created), throws otherwise, within
     *                    its own bound; run on a background thread while the broker is unavailable
     */
    public KafkaEventPublisher(Producer<byte[], byte[]> producer, String topic, EventKey key, Duration maxBlock,
                               Duration closeTimeout, Runnable brokerProbe) {
        this(producer, topic, key, maxBlock, closeTimeout, false, Objects.requireNonNull(brokerProbe, "brokerProbe"));
    }

    private KafkaEventPublisher(Producer<byte[], byte[]> producer, String topic, EventKey key, Duration maxBlock,
                                Duration closeTimeout, boolean ownsProducer, Runnable brokerProbe) {
        this.producer = Objects.requireNonNull(producer, "producer");
        this.topic = Objects.requireNonNull(topic, "topic");
        this.key = Objects.requireNonNull(key, "key");
        this.maxBlock = Objects.requireNonNull(maxBlock, "maxBlock");
        this.closeTimeout = Objects.requireNonNull(closeTimeout, "closeTimeout");
        this.ownsProducer = ownsProducer;
        this.brokerProbe = brokerProbe != null ? brokerProbe : () -> producer.partitionsFor(topic);
        this.sender = new Thread(this::sendLoop, "llmstore-kafka-publisher-" + topic);
        sender.setDaemon(true);
        sender.start();
    }

    /**
     * A publisher with its own producer, built from {@code options}; {@link #close()} closes it. Opens no connection
     * yet (the first publish does).
     */
    public static KafkaEventPublisher create(KafkaOptions options) {
        return new KafkaEventPublisher(new KafkaProducer<>(ClientProperties.producer(options, "publisher")),
                options.events().name(), options.eventKey(), options.maxBlock(), options.closeTimeout(), true, null);
    }

    /** The topic events go to. */
    public String topic() {
        return topic;
    }

    /**
     * True unless the broker is taken as unavailable (it did not answer within {@code KAFKA_PRODUCER_MAX_BLOCK}, or
     * at start-up); then publishes fail at once until a background probe sees it answer.
     */
    public boolean isBrokerAvailable() {
        return unavailable == null;
    }

    /**
     * Takes the broker as unavailable: publishes fail at once with a retryable {@link ConnectionException} naming
     * {@code reason} until the probe succeeds (tried about once a second). The pool calls this when the broker did
     * not answer at start-up.
     */
    public void markBrokerUnavailable(String reason) {
        unavailable = Objects.requireNonNull(reason, "reason");
        if (!closed.get() && probing.compareAndSet(false, true)) {
            Thread probe = new Thread(this::probeLoop, "llmstore-kafka-probe-" + topic);
            probe.setDaemon(true);
            probe.start();
        }
    }

    /** Returns at once; the future completes with the broker's acknowledgement or fails (see the class comment). */
    @Override
    public CompletableFuture<PublishReceipt> publish(LlmEvent event) {
        Objects.requireNonNull(event, "event");
        CompletableFuture<PublishReceipt> result = new CompletableFuture<>();
        if (closed.get()) {
            result.completeExceptionally(new StorageException("Kafka publisher is closed", false));
            return result;
        }
        String why = unavailable;
        if (why != null) {
            result.completeExceptionally(unavailableError(why));
            return result;
        }
        String k = key.keyOf(event);
        RecordHeaders headers = new RecordHeaders();
        headers.add("content-type", JSON);
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null, event.timestamp().toEpochMilli(),
                k == null ? null : k.getBytes(StandardCharsets.UTF_8), LlmEventJson.encode(event), headers);
        if (!pending.offer(new Pending(event, record, result))) {
            result.completeExceptionally(new BufferFullException("Kafka: publish to " + topic + " refused: "
                    + MAX_PENDING + " publishes are already waiting to be sent (KafkaEventPublisher.MAX_PENDING); the"
                    + " broker is slow or unreachable"));
        }
        return result;
    }

    /** The sender thread: the only caller of {@code Producer.send}, in publish order. */
    private void sendLoop() {
        while (true) {
            Pending p;
            try {
                p = pending.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                if (closed.get()) {
                    break;
                }
                continue;
            }
            if (p == null) {
                if (closed.get()) {
                    break;
                }
                continue;
            }
            if (p.record == null) {
                p.result.complete(null); // a flush marker: everything before it has been handed to the producer
                continue;
            }
            send(p);
        }
        failPending(new StorageException("Kafka publisher is closed", false));
    }

    private void send(Pending p) {
        String why = unavailable;
        if (why != null) {
            p.result.completeExceptionally(unavailableError(why));
            return;
        }
        LlmEvent event = p.event;
        try {
            producer.send(p.record, (metadata, error) -> {
                if (error != null) {
                    p.result.completeExceptionally(failed(error));
                } else {
                    p.result.complete(new PublishReceipt(event.eventId(), metadata.topic(), metadata.partition(),
                            metadata.offset(), Instant.ofEpochMilli(metadata.timestamp())));
                }
            });
        } catch (RuntimeException e) {
            // send() throws directly for some failures (producer closed, interrupted, serializer errors).
            p.result.completeExceptionally(failed(e));
        }
    }

    /** Translates a send failure; a broker that did not answer within max.block turns on the fail-fast gate. */
    private StorageException failed(Throwable error) {
        StorageException e = KafkaErrors.translate(error, "Kafka: publish to " + topic, maxBlock);
        if (e instanceof ConnectionException) {
            if (unavailable == null) {
                log.warn("Kafka broker unreachable; publishes fail at once until it answers (probed every {} ms): {}",
                        PROBE_INTERVAL.toMillis(), e.getMessage());
            }
            markBrokerUnavailable(e.getMessage());
        }
        return e;
    }

    private ConnectionException unavailableError(String why) {
        return new ConnectionException("Kafka: publish to " + topic + " failed at once: the broker is unavailable"
                + " (publishing resumes by itself when it answers; retry later): " + why);
    }

    private void probeLoop() {
        try {
            while (!closed.get() && unavailable != null) {
                try {
                    brokerProbe.run();
                    unavailable = null;
                    log.info("Kafka broker answers again; publishing resumes");
                    return;
                } catch (RuntimeException e) {
                    log.debug("Kafka broker probe failed: {}", e.toString());
                }
                try {
                    Thread.sleep(PROBE_INTERVAL.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
            }
        } finally {
            probing.set(false);
            if (unavailable != null && !closed.get()) {
                markBrokerUnavailable(unavailable); // a failure raced with the end of this loop
            }
        }
    }

    /**
     * Blocks until every event published so far was acknowledged or failed (their futures tell which). Waits for
     * the sender thread to hand over what is pending, then for the producer.
     */
    @Override
    public void flush() {
        CompletableFuture<PublishReceipt> marker = new CompletableFuture<>();
        try {
            if (!closed.get()) {
                pending.put(new Pending(null, null, marker));
                marker.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("interrupted while flushing Kafka publishes", e, true);
        } catch (ExecutionException e) {
            throw KafkaErrors.translate(e.getCause(), "Kafka: flush", maxBlock);
        }
        try {
            producer.flush();
        } catch (RuntimeException e) {
            throw KafkaErrors.translate(e, "Kafka: flush", maxBlock);
        }
    }

    /**
     * Sends what is pending and, when this publisher created the producer, closes it, all within the close timeout
     * (what could not be sent by then fails its future); a producer passed in is flushed, not closed. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            sender.join(closeTimeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (sender.isAlive()) {
            sender.interrupt();
        }
        failPending(new StorageException("Kafka publisher closed before this event was sent", false));
        if (ownsProducer) {
            // close(timeout) flushes what it can within the bound, then drops the rest (their futures fail).
            producer.close(closeTimeout);
        } else {
            try {
                producer.flush();
            } catch (RuntimeException e) {
                throw KafkaErrors.translate(e, "Kafka: flush", maxBlock);
            }
        }
    }

    private void failPending(StorageException error) {
        List<Pending> left = new ArrayList<>();
        pending.drainTo(left);
        for (Pending p : left) {
            if (p.record == null) {
                p.result.complete(null);
            } else {
                p.result.completeExceptionally(error);
            }
        }
    }

    @Override
    public String toString() {
        return "KafkaEventPublisher{topic=" + topic + ", key=" + key + ", ownsProducer=" + ownsProducer
                + (unavailable != null ? ", broker unavailable" : "") + "}";
    }

    /** One publish waiting for the sender thread; a null record is a flush marker. */
    private record Pending(LlmEvent event, ProducerRecord<byte[], byte[]> record,
                           CompletableFuture<PublishReceipt> result) {
    }
}
