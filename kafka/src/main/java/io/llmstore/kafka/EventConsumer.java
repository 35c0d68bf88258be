package io.llmstore.kafka;

import io.llmstore.core.failure.PoisonIsolation;
import io.llmstore.core.retry.RetryPolicy;
import io.llmstore.core.error.StorageException;
import io.llmstore.core.event.InvalidEventException;
import io.llmstore.core.event.LlmEvent;
import io.llmstore.core.event.LlmEventJson;
import io.llmstore.kafka.internal.ClientProperties;
import io.llmstore.kafka.internal.KafkaErrors;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@link LlmEvent}s from a topic on its own thread and hands them, a poll's worth at a time, to an
 * {@link EventBatchHandler}; at-least-once.
 *
 * <ul>
 *   <li>Offsets are committed (synchronously) only after the handler returned, so a crash between a write and
 *       the commit redelivers the batch: pair it with an idempotent handler (the usage sink stores each event id
 *       once).</li>
 *   <li>A record that is not JSON, or whose fields break a rule, goes to the dead-letter topic with
 *       {@link DeadLetterHeaders} saying why and where from; its neighbours are handled. A batch the handler
 *       refuses for its data ({@link PoisonIsolation#isPoison}) is bisected until each refused event stands alone
 *       (reason {@code rejected}); the other events are handled in a few large calls, not one by one. The dead-letter write is
 *       acknowledged before the batch's offsets are committed.</li>
 *   <li>Retryable {@link StorageException}s from the handler are retried with exponential backoff (the
 *       {@code DB_RETRY_*} backoff, without an attempt limit): nothing is committed or skipped. While it waits the
 *       consumer keeps polling with its partitions paused, so the group does not evict it.</li>
 *   <li>Shutdown ({@link #close()}): wakes the poll, lets the current batch finish (a retry wait is cut short and
 *       its batch left uncommitted), commits, closes the consumer; bounded by {@code KAFKA_CLOSE_TIMEOUT} plus the
 *       handler's own time.</li>
 * </ul>
 *
 * <p>Scale out by starting more consumers with the same group id (in this or other processes), up to the topic's
 * partition count. Thread-safe: {@link #start()}, {@link #close()} and the views may be called from any thread.
 * Owns its consumer and, unless one was passed to the builder, its dead-letter producer.
 */
public final class EventConsumer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventConsumer.class);
    private static final int MAX_ERROR_LENGTH = 2000;

    private final KafkaOptions options;
    private final EventBatchHandler handler;
    private final String topic;
    private final String groupId;
    private final String deadLetterTopic;
    private final Producer<byte[], byte[]> deadLetterProducer;
    private final boolean ownsProducer;
    private final String name;
    private final RetryPolicy retry;

    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean running;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong handled = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong commits = new AtomicLong();
    private volatile Consumer<byte[], byte[]> consumer;
    private volatile Thread thread;

    private EventConsumer(Builder b) {
        this.options = b.options;
        this.handler = b.handler;
        this.topic = b.topic != null ? b.topic : options.events().name();
        this.groupId = b.groupId != null ? b.groupId : options.sinkGroup();
        this.deadLetterTopic = b.deadLetterTopic != null ? b.deadLetterTopic : options.deadLetter().name();
        this.ownsProducer = b.deadLetterProducer == null;
        this.deadLetterProducer = ownsProducer
                ? new KafkaProducer<>(ClientProperties.producer(options, "dlq-" + groupId)) : b.deadLetterProducer;
        this.name = "llmstore-consumer-" + groupId + "-" + topic;
        this.retry = RetryPolicy.of(options.retry()); // only its backoff: the consumer retries without a limit
    }

    /**
     * A builder for a consumer of the events topic in group {@code KAFKA_SINK_GROUP}, dead-lettering to
     * {@code KAFKA_TOPIC_DLQ}; each may be changed on the builder.
     */
    public static Builder builder(KafkaOptions options, EventBatchHandler handler) {
        return new Builder(options, handler);
    }

    /**
     * Subscribes and starts the polling thread; returns at once. Call once.
     *
     * @throws IllegalStateException when already started or closed
     */
    public EventConsumer start() {
        if (closed.get() || !started.compareAndSet(false, true)) {
            throw new IllegalStateException(name + " was already started or closed");
        }
        consumer = new KafkaConsumer<>(ClientProperties.consumer(options, groupId, "consumer-" + groupId));
        consumer.subscribe(List.of(topic));
        running = true;
        Thread t = new Thread(this::run, name);
        t.setDaemon(true);
        thread = t;
        t.start();
        return this;
    }

    /** True from {@link #start()} until it is closed or stopped by a failure. */
    public boolean isRunning() {
        Thread t = thread;
        return running && t != null && t.isAlive();
    }

    /** The failure that stopped the consumer, if one did (the batch in hand was not committed). */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure.get());
    }

    /** Counters since start. */
    public ConsumerStats stats() {
        return new ConsumerStats(received.get(), handled.get(), deadLettered.get(), retries.get(), commits.get());
    }

    /** The consumer group. */
    public String groupId() {
        return groupId;
    }

    /**
     * Stops polling, lets the batch in hand finish, commits it, and closes the consumer (and the dead-letter producer
     * it created). Idempotent; waits at most {@code KAFKA_CLOSE_TIMEOUT} plus the handler's current call.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        running = false;
        Consumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        Thread t = thread;
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(options.closeTimeout().toMillis() + options.pollTimeout().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                log.warn("{} did not stop within {} ms (a handler call is still running)", name,
                        options.closeTimeout().toMillis());
            }
        }
        if (ownsProducer && (t == null || !t.isAlive())) {
            deadLetterProducer.close(options.closeTimeout());
        }
    }

    private void run() {
        Consumer<byte[], byte[]> c = consumer;
        try {
            while (running) {
                ConsumerRecords<byte[], byte[]> records;
                try {
                    records = c.poll(options.pollTimeout());
                } catch (WakeupException e) {
                    continue; // close() woke us; the loop condition decides
                }
                if (records.isEmpty()) {
                    continue;
                }
                received.addAndGet(records.count());
                if (!process(c, records)) {
                    break; // closed while retrying: leave the batch uncommitted, it is redelivered
                }
                commit(c, records);
            }
        } catch (Throwable e) {
            failure.set(e);
            log.error("{} stopped without committing its current batch (it will be redelivered): {}", name, e.toString(), e);
        } finally {
            running = false;
            try {
                c.close(options.closeTimeout());
            } catch (RuntimeException e) {
                log.warn("{}: closing the Kafka consumer failed: {}", name, e.toString());
            }
            if (ownsProducer && closed.get()) {
                deadLetterProducer.close(options.closeTimeout());
            }
        }
    }

    /** Dead-letters what cannot be read, hands the rest to the handler; false when closed before it succeeded. */
    private boolean process(Consumer<byte[], byte[]> c, ConsumerRecords<byte[], byte[]> records) {
        List<Entry> entries = new ArrayList<>(records.count());
        List<ConsumerRecord<byte[], byte[]>> unreadable = new ArrayList<>();
        List<InvalidEventException> reasons = new ArrayList<>();
        List<ConsumerRecord<byte[], byte[]>> unfit = new ArrayList<>();
        List<IllegalArgumentException> unfitReasons = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            LlmEvent event;
            try {
                event = LlmEventJson.decode(r.value());
            } catch (InvalidEventException e) {
                unreadable.add(r);
                reasons.add(e);
                continue;
            }
            try {
                handler.check(event); // refused one by one up front: it never costs its batch a bisection
                entries.add(new Entry(r, event));
            } catch (IllegalArgumentException e) {
                unfit.add(r);
                unfitReasons.add(e);
            }
        }
        List<CompletableFuture<?>> sends = deadLetterUnreadable(unreadable, reasons, unfit, unfitReasons);
        List<Entry> pending = entries;
        long attempt = 0;
        while (true) {
            List<CompletableFuture<?>> refusals = sends;
            // One shared bisection (core's PoisonIsolation, as in the buffered usage writer): a refused batch is
            // halved until each refused event stands alone; those go to the dead-letter topic, the rest is stored.
            PoisonIsolation.Outcome<Entry> outcome = PoisonIsolation.store(name + " batch", pending, this::handle,
                    (entry, cause) -> {
                        log.warn("{}: event {} refused by the handler, sending it to {}: {}", name,
                                entry.event.eventId(), deadLetterTopic, cause.getMessage());
                        refusals.add(deadLetter(entry.record, DeadLetterHeaders.REJECTED, cause));
                    });
            handled.addAndGet(outcome.stored());
            StorageException retryable;
            if (outcome.isComplete()) {
                try {
                    awaitAll(sends);
                    return true;
                } catch (StorageException e) {
                    if (!e.isRetryable()) {
                        throw e;
                    }
                    // A dead-letter write failed: redo the whole batch (dead letters are at-least-once, the
                    // handler is idempotent).
                    retryable = e;
                    sends = deadLetterUnreadable(unreadable, reasons, unfit, unfitReasons);
                    pending = entries;
                }
            } else if (outcome.failure() instanceof StorageException se && se.isRetryable()) {
                retryable = se;
                pending = outcome.pending(); // what was stored or dead-lettered is not handed again
            } else {
                throw outcome.failure(); // not retryable: the consumer stops, the batch stays uncommitted
            }
            attempt++;
            retries.incrementAndGet();
            Duration wait = retry.backoff(attempt);
            log.warn("{}: batch of {} records failed (attempt {}), retrying {} of them in {} ms without committing: {}",
                    name, records.count(), attempt, pending.size(), wait.toMillis(), retryable.getMessage());
            if (!waitPaused(c, wait)) {
                return false;
            }
        }
    }

    private List<CompletableFuture<?>> deadLetterUnreadable(List<ConsumerRecord<byte[], byte[]>> unreadable,
                                                            List<InvalidEventException> reasons,
                                                            List<ConsumerRecord<byte[], byte[]>> unfit,
                                                            List<IllegalArgumentException> unfitReasons) {
        List<CompletableFuture<?>> sends = new ArrayList<>();
        for (int i = 0; i < unreadable.size(); i++) {
            InvalidEventException e = reasons.get(i);
            sends.add(deadLetter(unreadable.get(i), e.isMalformed() ? DeadLetterHeaders.MALFORMED
                    : DeadLetterHeaders.INVALID, e));
        }
        for (int i = 0; i < unfit.size(); i++) {
            log.warn("{}: record {}-{}@{} refused by the handler's check, sending it to {}: {}", name,
                    unfit.get(i).topic(), unfit.get(i).partition(), unfit.get(i).offset(), deadLetterTopic,
                    unfitReasons.get(i).getMessage());
            sends.add(deadLetter(unfit.get(i), DeadLetterHeaders.REJECTED, unfitReasons.get(i)));
        }
        return sends;
    }

    private void handle(List<Entry> entries) {
        List<LlmEvent> events = new ArrayList<>(entries.size());
        entries.forEach(e -> events.add(e.event));
        handler.handle(java.util.Collections.unmodifiableList(events));
    }

    private CompletableFuture<?> deadLetter(ConsumerRecord<byte[], byte[]> r, String reason, Throwable error) {
        Headers headers = new RecordHeaders(r.headers().toArray());
        String message = String.valueOf(error.getMessage());
        if (message.length() > MAX_ERROR_LENGTH) {
            message = message.substring(0, MAX_ERROR_LENGTH);
        }
        add(headers, DeadLetterHeaders.REASON, reason);
        add(headers, DeadLetterHeaders.ERROR, message);
        add(headers, DeadLetterHeaders.EXCEPTION, error.getClass().getName());
        add(headers, DeadLetterHeaders.TOPIC, r.topic());
        add(headers, DeadLetterHeaders.PARTITION, Integer.toString(r.partition()));
        add(headers, DeadLetterHeaders.OFFSET, Long.toString(r.offset()));
        add(headers, DeadLetterHeaders.TIMESTAMP, Long.toString(r.timestamp()));
        add(headers, DeadLetterHeaders.GROUP, groupId);
        CompletableFuture<Object> done = new CompletableFuture<>();
        try {
            deadLetterProducer.send(new ProducerRecord<>(deadLetterTopic, null, r.key(), r.value(), headers), (m, e) -> {
                if (e != null) {
                    done.completeExceptionally(KafkaErrors.translate(e, "Kafka: dead-letter to " + deadLetterTopic,
                            options.maxBlock()));
                } else {
                    deadLettered.incrementAndGet();
                    done.complete(m);
                }
            });
        } catch (RuntimeException e) {
            done.completeExceptionally(KafkaErrors.translate(e, "Kafka: dead-letter to " + deadLetterTopic, options.maxBlock()));
        }
        log.debug("{}: {} record {}-{}@{} sent to {}: {}", name, reason, r.topic(), r.partition(), r.offset(),
                deadLetterTopic, message);
        return done;
    }

    private static void add(Headers headers, String key, String value) {
        headers.remove(key);
        headers.add(key, value.getBytes(StandardCharsets.UTF_8));
    }

    private static void awaitAll(List<CompletableFuture<?>> sends) {
        for (CompletableFuture<?> f : sends) {
            try {
                f.get(); // bounded by the producer's delivery.timeout.ms
            } catch (java.util.concurrent.ExecutionException e) {
                throw KafkaErrors.translate(e.getCause(), "Kafka: dead-letter", Duration.ZERO);
            } catch (InterruptedException e) {
                throw new StorageException("interrupted while waiting for a dead-letter write", e, true);
            }
        }
    }

    private void commit(Consumer<byte[], byte[]> c, ConsumerRecords<byte[], byte[]> records) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : records.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> list = records.records(tp);
            ConsumerRecord<byte[], byte[]> last = list.get(list.size() - 1);
            offsets.put(tp, new OffsetAndMetadata(last.offset() + 1, last.leaderEpoch(), ""));
        }
        for (int attempt = 1; ; attempt++) {
            try {
                c.commitSync(offsets, options.closeTimeout());
                commits.incrementAndGet();
                return;
            } catch (WakeupException e) {
                // close() woke the consumer while we were committing: commit once more, then the loop ends.
                if (attempt >= 2) {
                    throw e;
                }
            } catch (CommitFailedException | RebalanceInProgressException e) {
                log.warn("{}: offsets not committed because the group rebalanced; the batch will be redelivered to "
                        + "the partitions' new owner (handlers are idempotent): {}", name, e.getMessage());
                return;
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                log.warn("{}: offset commit timed out; the batch will be redelivered if this consumer stops before "
                        + "its next commit: {}", name, e.getMessage());
                return;
            }
        }
    }

    /**
     * Waits {@code wait} while polling with every partition paused, so the group keeps us; records of partitions
     * assigned meanwhile are rewound and paused too. False when closed meanwhile.
     */
    private boolean waitPaused(Consumer<byte[], byte[]> c, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        c.pause(c.assignment());
        try {
            while (running) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return true;
                }
                ConsumerRecords<byte[], byte[]> extra;
                try {
                    extra = c.poll(Duration.ofNanos(Math.min(left, options.pollTimeout().toNanos())));
                } catch (WakeupException e) {
                    continue;
                }
                for (TopicPartition tp : extra.partitions()) {
                    c.seek(tp, extra.records(tp).get(0).offset());
                }
                c.pause(c.assignment());
            }
            return false;
        } finally {
            if (running) {
                c.resume(c.paused());
            }
        }
    }

    @Override
    public String toString() {
        return "EventConsumer{topic=" + topic + ", group=" + groupId + ", deadLetter=" + deadLetterTopic
                + ", running=" + isRunning() + ", " + stats() + "}";
    }

    private record Entry(ConsumerRecord<byte[], byte[]> record, LlmEvent event) {
    }

    /** Builds an {@link EventConsumer}. Not thread-safe. */
    public static final class Builder {
        private final KafkaOptions options;
        private final EventBatchHandler handler;
        private String topic;
        private String groupId;
        private String deadLetterTopic;
        private Producer<byte[], byte[]> deadLetterProducer;

        private Builder(KafkaOptions options, EventBatchHandler handler) {
            this.options = Objects.requireNonNull(options, "options");
            this.handler = Objects.requireNonNull(handler, "handler");
        }

        /** The topic to read; default the events topic ({@code KAFKA_TOPIC_EVENTS} with its prefix). */
        public Builder topic(String topic) {
            this.topic = Objects.requireNonNull(topic, "topic");
            return this;
        }

        /** The consumer group; default {@code KAFKA_SINK_GROUP}. */
        public Builder groupId(String groupId) {
            if (groupId == null || groupId.isBlank()) {
                throw new IllegalArgumentException("groupId must not be blank, was " + (groupId == null ? "null" : "'" + groupId + "'"));
            }
            this.groupId = groupId;
            return this;
        }

        /** The dead-letter topic; default {@code KAFKA_TOPIC_DLQ} with its prefix. */
        public Builder deadLetterTopic(String topic) {
            this.deadLetterTopic = Objects.requireNonNull(topic, "topic");
            return this;
        }

        /** A producer (byte-array serializers) for dead letters, not closed by the consumer; default: its own. */
        public Builder deadLetterProducer(Producer<byte[], byte[]> producer) {
            this.deadLetterProducer = Objects.requireNonNull(producer, "producer");
            return this;
        }

        /** The consumer, not started yet. */
        public EventConsumer build() {
            return new EventConsumer(this);
        }
    }
}
