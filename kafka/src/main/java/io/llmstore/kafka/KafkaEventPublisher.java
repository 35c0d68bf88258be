package io.llmstore.kafka;

import io.llmstore.core.buffer.BufferedWriter;
import io.llmstore.core.buffer.SegmentLog;
import io.llmstore.core.buffer.SpoolSettings;
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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
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
 * <p><b>With a spool</b> ({@code SPOOL_DIR}: {@code <SPOOL_DIR>/events}, docs/spool.md) every accepted event is first
 * appended to the spool's {@link SegmentLog} as its {@link LlmEventJson} bytes, and {@code publish} returns when it is
 * there per {@code SPOOL_DURABILITY} ({@code os}: written to the OS; {@code fsync}: after its group's fsync). A future
 * that {@code publish} did not return failed means the event will reach the topic at least once, even if the JVM is
 * killed: events the broker acknowledged are trimmed (below the acknowledged prefix: acks across partitions come out
 * of order), and a publisher opening the directory publishes what is left first. The broker being unavailable no
 * longer fails publishes: they are accepted into the spool (past {@link #MAX_PENDING} waiting events, on the disk
 * only) up to {@code SPOOL_MAX_BYTES}, then fail at once with a retryable {@link BufferFullException}; a send that
 * fails for the broker is sent again once the probe sees it answer. The future still completes with the broker's
 * receipt (events replayed from an earlier run have none); it fails only for an event the broker refuses for its
 * data (too large: dropped from the spool, logged at ERROR), or at {@link #close()} for an event not yet acknowledged,
 * which stays in the spool for the next start.
 *
 * <p>Thread-safe. {@link #close()} sends what is pending, flushes, then closes the producer if this publisher created
 * it ({@link #create}); a producer passed to the constructor is not closed.
 */
public final class KafkaEventPublisher implements EventPublisher, AutoCloseable {
    /** Most publishes waiting for the sender thread; one more fails at once with a {@link BufferFullException}. */
    public static final int MAX_PENDING = 10_000;
    /** Its spool directory under {@code SPOOL_DIR}, and its name in {@code pool.stats().spools()}. */
    public static final String SPOOL_KIND = "events";
    /**
     * Segment size of the events spool: events are always in flight under load, so the active segment is never
     * drained; small segments are deleted as their events are acknowledged, and bound what a restart re-publishes.
     */
    static final long SPOOL_SEGMENT_BYTES = 256 * 1024;
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

    // The spool (null without one). Events enter memory (pending) in spool order under appendLock; an event accepted
    // while memory is full or older events wait on the disk is on the disk only, its future in diskFutures (same
    // order), until the sender reads it back. Acks (any order) advance the watermark: every record below it is
    // acknowledged (or refused for its data) and may be trimmed.
    private final SegmentLog spool;
    private final Object appendLock = new Object();
    private final ArrayDeque<CompletableFuture<PublishReceipt>> diskFutures = new ArrayDeque<>(); // guarded by appendLock
    private final ConcurrentLinkedQueue<Pending> resend = new ConcurrentLinkedQueue<>();
    private final Object acks = new Object();
    private final HashSet<Long> ackedAhead = new HashSet<>(); // guarded by acks: acknowledged above the watermark
    private long watermark; // guarded by acks
    private long trimmed; // sender thread: the watermark of the last trim
    private final AtomicLong resent = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();

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
        this(producer, topic, key, maxBlock, closeTimeout, false, null, null);
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
        this(producer, topic, key, maxBlock, closeTimeout, false, Objects.requireNonNull(brokerProbe, "brokerProbe"), null);
    }

    /**
     * As {@link #KafkaEventPublisher(Producer, String, EventKey, Duration, Duration, Runnable)}, spooling every
     * accepted event to {@code spool} (see the class comment); null for none. Events the spool holds from an earlier
     * run are published first.
     *
     * @throws io.llmstore.core.error.ConfigException naming {@code SPOOL_DIR} when another process holds the directory
     */
    public KafkaEventPublisher(Producer<byte[], byte[]> producer, String topic, EventKey key, Duration maxBlock,
                               Duration closeTimeout, Runnable brokerProbe, SpoolSettings spool) {
        this(producer, topic, key, maxBlock, closeTimeout, false, Objects.requireNonNull(brokerProbe, "brokerProbe"),
                spool);
    }

    private KafkaEventPublisher(Producer<byte[], byte[]> producer, String topic, EventKey key, Duration maxBlock,
                                Duration closeTimeout, boolean ownsProducer, Runnable brokerProbe, SpoolSettings spool) {
        this.producer = Objects.requireNonNull(producer, "producer");
        this.topic = Objects.requireNonNull(topic, "topic");
        this.key = Objects.requireNonNull(key, "key");
        this.maxBlock = Objects.requireNonNull(maxBlock, "maxBlock");
        this.closeTimeout = Objects.requireNonNull(closeTimeout, "closeTimeout");
        this.ownsProducer = ownsProducer;
        this.brokerProbe = brokerProbe != null ? brokerProbe : () -> producer.partitionsFor(topic);
        this.spool = spool == null ? null : SegmentLog.open(spool, "SPOOL_DIR", SPOOL_SEGMENT_BYTES);
        if (this.spool != null && this.spool.recovery().records() > 0) {
            log.info("Kafka publisher: {} events from an earlier run wait in the spool {}; publishing them first",
                    this.spool.recovery().records(), spool.dir());
        }
        this.sender = new Thread(this::sendLoop, "llmstore-kafka-publisher-" + topic);
        sender.setDaemon(true);
        sender.start();
    }

    /**
     * A publisher with its own producer, built from {@code options}; {@link #close()} closes it. Opens no connection
     * yet (the first publish does).
     */
    public static KafkaEventPublisher create(KafkaOptions options) {
        return create(options, null);
    }

    /** As {@link #create(KafkaOptions)}, spooling to {@code spool} (null for none; see the class comment). */
    public static KafkaEventPublisher create(KafkaOptions options, SpoolSettings spool) {
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(ClientProperties.producer(options, "publisher"));
        try {
            return new KafkaEventPublisher(producer, options.events().name(), options.eventKey(), options.maxBlock(),
                    options.closeTimeout(), true, null, spool);
        } catch (RuntimeException e) {
            producer.close(Duration.ZERO);
            throw e;
        }
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
        if (spool != null) {
            return publishSpooled(event, result);
        }
        String why = unavailable;
        if (why != null) {
            result.completeExceptionally(unavailableError(why));
            return result;
        }
        ProducerRecord<byte[], byte[]> record = record(event, LlmEventJson.encode(event));
        if (!pending.offer(new Pending(-1, event, record, result))) {
            result.completeExceptionally(new BufferFullException("Kafka: publish to " + topic + " refused: "
                    + MAX_PENDING + " publishes are already waiting to be sent (KafkaEventPublisher.MAX_PENDING); the"
                    + " broker is slow or unreachable"));
        }
        return result;
    }

    private ProducerRecord<byte[], byte[]> record(LlmEvent event, byte[] json) {
        String k = key.keyOf(event);
        RecordHeaders headers = new RecordHeaders();
        headers.add("content-type", JSON);
        return new ProducerRecord<>(topic, null, event.timestamp().toEpochMilli(),
                k == null ? null : k.getBytes(StandardCharsets.UTF_8), json, headers);
    }

    private CompletableFuture<PublishReceipt> publishSpooled(LlmEvent event, CompletableFuture<PublishReceipt> result) {
        long seq = spoolAppend(event, result);
        if (seq >= 0) {
            try {
                spool.awaitDurable(seq);
            } catch (StorageException e) {
                // Spooled and will be published, but the fsync failed: the caller must not count on a power loss.
                return CompletableFuture.failedFuture(e);
            }
        }
        return result;
    }

    /**
     * Without a spool as {@link EventPublisher#publishAll}; with one, every event is appended first and the call
     * waits for one group commit (the last event's) instead of one per event.
     */
    @Override
    public CompletableFuture<List<PublishReceipt>> publishAll(List<LlmEvent> events) {
        if (spool == null) {
            return EventPublisher.super.publishAll(events);
        }
        List<CompletableFuture<PublishReceipt>> futures = new ArrayList<>(events.size());
        long last = -1;
        for (LlmEvent event : events) {
            Objects.requireNonNull(event, "event");
            CompletableFuture<PublishReceipt> result = new CompletableFuture<>();
            if (closed.get()) {
                result.completeExceptionally(new StorageException("Kafka publisher is closed", false));
            } else {
                last = Math.max(last, spoolAppend(event, result));
            }
            futures.add(result);
        }
        if (last >= 0) {
            try {
                spool.awaitDurable(last);
            } catch (StorageException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            List<PublishReceipt> receipts = new ArrayList<>(futures.size());
            futures.forEach(f -> receipts.add(f.join()));
            return receipts;
        });
    }

    /**
     * Appends to the spool, then hands the event to memory when there is room and nothing older waits on disk;
     * returns its sequence number, or -1 when it was refused ({@code result} failed).
     */
    private long spoolAppend(LlmEvent event, CompletableFuture<PublishReceipt> result) {
        byte[] json = LlmEventJson.encode(event);
        ProducerRecord<byte[], byte[]> record = record(event, json);
        long seq;
        synchronized (appendLock) {
            // Only appenders and the sender's read-back (both under appendLock) add to pending: the room seen stays.
            boolean inMemory = pending.remainingCapacity() > 0 && !spool.hasUnread();
            try {
                seq = spool.append(json, inMemory);
            } catch (SegmentLog.FullException full) {
                result.completeExceptionally(new BufferFullException("Kafka: publish to " + topic + " refused: the events"
                        + " spool is full (" + full.getMessage() + "); the broker is slow or unreachable, raise"
                        + " SPOOL_MAX_BYTES or retry later"));
                return -1;
            } catch (RuntimeException e) {
                result.completeExceptionally(e instanceof StorageException se ? se
                        : new StorageException("Kafka: publish to " + topic + " could not spool the event: " + e, e, false));
                return -1;
            }
            if (inMemory) {
                pending.add(new Pending(seq, event, record, result));
            } else {
                diskFutures.addLast(result);
            }
        }
        return seq;
    }

    /** Reads events that wait on the disk only back into memory, while there is room; on the sender thread. */
    private void readBack() {
        if (!spool.hasUnread()) {
            return;
        }
        synchronized (appendLock) {
            int room = pending.remainingCapacity();
            if (room == 0) {
                return;
            }
            long first = spool.recovery().records(); // records below it are from an earlier run: no future
            long seq = spool.nextUnread();
            for (byte[] json : spool.read(Math.min(room, 1_000))) {
                long s = seq++;
                CompletableFuture<PublishReceipt> f = s >= first && !diskFutures.isEmpty() ? diskFutures.pollFirst()
                        : new CompletableFuture<>();
                LlmEvent event;
                try {
                    event = LlmEventJson.decode(json);
                } catch (RuntimeException e) {
                    refused.incrementAndGet();
                    log.error("Kafka publisher: spool record {} is not an event and is skipped (lost): {}", s, e.toString());
                    f.completeExceptionally(new StorageException("Kafka: spooled event unreadable: " + e, e, false));
                    acknowledge(s);
                    continue;
                }
                pending.add(new Pending(s, event, record(event, json), f));
            }
        }
    }

    /** Record {@code seq} needs no more sending; advances the watermark over the acknowledged prefix. */
    private void acknowledge(long seq) {
        synchronized (acks) {
            if (seq < watermark) {
                return;
            }
            if (seq != watermark) {
                ackedAhead.add(seq);
                return;
            }
            long w = seq + 1;
            while (ackedAhead.remove(w)) {
                w++;
            }
            watermark = w;
            acks.notifyAll();
        }
    }

    private long watermark() {
        synchronized (acks) {
            return watermark;
        }
    }

    /** Deletes spool segments whose records are all acknowledged; on the sender thread (or at close). */
    private void trim(boolean force) {
        long w = watermark();
        if (w > trimmed && (force || w - trimmed >= 100)) {
            spool.trimBelow(w);
            trimmed = w;
        }
    }

    /** The spooled sender: resends first, then memory (refilled from disk); waits while the broker is unavailable. */
    private void sendLoopSpooled() {
        while (true) {
            boolean isClosed = closed.get();
            if (unavailable != null) {
                if (isClosed) {
                    break;
                }
                trim(true);
                sleepQuietly(20);
                continue;
            }
            Pending p = resend.poll();
            if (p == null) {
                if (!isClosed) {
                    readBack();
                }
                try {
                    p = pending.poll(isClosed ? 0 : 50, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    if (closed.get()) {
                        break;
                    }
                    continue;
                }
            }
            if (p == null) {
                trim(true);
                if (isClosed) {
                    break;
                }
                continue;
            }
            sendSpooled(p);
            trim(false);
        }
    }

    private void sendSpooled(Pending p) {
        try {
            producer.send(p.record, (metadata, error) -> {
                if (error == null) {
                    p.result.complete(new PublishReceipt(p.event.eventId(), metadata.topic(), metadata.partition(),
                            metadata.offset(), Instant.ofEpochMilli(metadata.timestamp())));
                    acknowledge(p.seq);
                } else {
                    sendFailed(p, error);
                }
            });
        } catch (RuntimeException e) {
            sendFailed(p, e);
        }
    }

    /**
     * A spooled event's send failed: refused for its data, it is dropped (future failed, trimmed); any other failure
     * takes the broker as unavailable and sends it again once the probe sees it answer.
     */
    private void sendFailed(Pending p, Throwable error) {
        StorageException e = KafkaErrors.translate(error, "Kafka: publish to " + topic, maxBlock);
        if (KafkaErrors.causeIs(error, RecordTooLargeException.class)
                || KafkaErrors.causeIs(error, RecordBatchTooLargeException.class)
                || KafkaErrors.causeIs(error, SerializationException.class)) {
            refused.incrementAndGet();
            log.error("Kafka publisher: event {} refused for its data and dropped from the spool: {}", p.event.eventId(),
                    e.getMessage());
            p.result.completeExceptionally(e);
            acknowledge(p.seq);
            return;
        }
        if (closed.get()) {
            p.result.completeExceptionally(keptError(e.getMessage()));
            return;
        }
        if (unavailable == null) {
            log.warn("Kafka publish failed; spooled events wait and are sent again when the broker answers (probed"
                    + " every {} ms): {}", PROBE_INTERVAL.toMillis(), e.getMessage());
        }
        markBrokerUnavailable(e.getMessage());
        resent.incrementAndGet();
        resend.add(p);
    }

    private StorageException keptError(String why) {
        return new StorageException("Kafka publisher closed before the broker acknowledged this event; it stays in the"
                + " spool " + spool.settings().dir() + " and is published when a publisher opens it again"
                + (why == null ? "" : ": " + why), false);
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The events spool now; empty without one. {@code pending}: accepted (or replayed) events not acknowledged yet;
     * {@code diskOnly}: those waiting on the disk only; {@code recovered}: events found at start (published first);
     * {@code lost}: records found torn or corrupt at start, or refused by the broker for their data.
     */
    public Optional<BufferedWriter.SpoolStats> spoolStats() {
        if (spool == null) {
            return Optional.empty();
        }
        SegmentLog.Recovery r = spool.recovery();
        return Optional.of(new BufferedWriter.SpoolStats(spool.settings().durability(), spool.bytes(),
                spool.appended() - watermark(), spool.unread(), spool.fsyncs(), r.records(),
                r.lostRecords() + refused.get()));
    }

    /** Spooled sends that failed for the broker and were sent again (0 without a spool). */
    public long resends() {
        return resent.get();
    }

    /** The sender thread: the only caller of {@code Producer.send}, in publish order. */
    private void sendLoop() {
        if (spool != null) {
            sendLoopSpooled();
            return;
        }
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
        if (spool != null) {
            flushSpooled();
            return;
        }
        CompletableFuture<PublishReceipt> marker = new CompletableFuture<>();
        try {
            if (!closed.get()) {
                pending.put(new Pending(-1, null, null, marker));
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
     * With a spool: waits until every event accepted so far is acknowledged; throws a retryable
     * {@link ConnectionException} at once while the broker is unavailable (the events wait in the spool).
     */
    private void flushSpooled() {
        long target = spool.appended();
        synchronized (acks) {
            while (watermark < target) {
                String why = unavailable;
                if (why != null) {
                    throw new ConnectionException("Kafka: flush of " + topic + " incomplete: the broker is unavailable; "
                            + (target - watermark) + " events wait in the spool " + spool.settings().dir()
                            + " and are published when it answers: " + why);
                }
                if (closed.get()) {
                    throw new StorageException("Kafka publisher is closed", false);
                }
                try {
                    acks.wait(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new StorageException("interrupted while flushing Kafka publishes", e, true);
                }
            }
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
        failPending(spool != null ? keptError(null)
                : new StorageException("Kafka publisher closed before this event was sent", false));
        try {
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
        } finally {
            if (spool != null) {
                closeSpool();
            }
        }
    }

    /** Trims what was acknowledged and closes the spool; what is left is published by the next publisher on it. */
    private void closeSpool() {
        for (Pending p; (p = resend.poll()) != null; ) {
            p.result.completeExceptionally(keptError(null));
        }
        synchronized (appendLock) {
            for (CompletableFuture<PublishReceipt> f; (f = diskFutures.pollFirst()) != null; ) {
                f.completeExceptionally(keptError(null));
            }
        }
        long w = watermark();
        long left = spool.appended() - w;
        spool.trimBelow(w, left == 0); // all acknowledged: leave no segment for the next start to replay
        if (left > 0) {
            log.warn("Kafka publisher closed with {} events not acknowledged; they stay in the spool {} and are"
                    + " published when a publisher opens it again", left, spool.settings().dir());
        }
        spool.close();
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
                + (spool != null ? ", spool=" + spool.settings().dir() + " (" + spool.settings().durability() + ")" : "")
                + (unavailable != null ? ", broker unavailable" : "") + "}";
    }

    /** One publish waiting for the sender thread; a null record is a flush marker; seq: its spool record, or -1. */
    private record Pending(long seq, LlmEvent event, ProducerRecord<byte[], byte[]> record,
                           CompletableFuture<PublishReceipt> result) {
    }
}
