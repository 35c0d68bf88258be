package io.llmstore.core.buffer;

import io.llmstore.core.error.BufferFullException;
import io.llmstore.core.error.StorageException;
import io.llmstore.core.failure.PoisonIsolation;
import io.llmstore.core.failure.PoisonListener;
import io.llmstore.core.retry.RetryPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An asynchronous, bounded writer of rows of type {@code T}: {@link #record} checks the row and puts it in a bounded
 * in-memory buffer; a background thread hands the buffer to the delegate (a synchronous, idempotent batch writer) when
 * it holds {@code flushSize} rows or {@code flushInterval} has passed, and on {@link #flush()} and {@link #close()}.
 * The one buffering mechanism of llmstore: usage rows ({@link io.llmstore.core.usage.BufferedUsageWriter}), spans and
 * operations all go through it.
 *
 * <p>Contract:
 * <ul>
 * <li><b>Bounded.</b> At most {@code capacity} rows wait. When full, {@link FullPolicy#BLOCK} waits up to
 *     {@code fullTimeout} for room, {@link FullPolicy#REJECT} fails at once; either way the caller gets a
 *     {@link BufferFullException} and the row is not accepted.</li>
 * <li><b>A row leaves the buffer only when it is stored, or as a poison row.</b> A poison row is one the database
 *     refused for its own data (a {@link io.llmstore.core.error.QueryException#isDataError() data error}) or
 *     that failed a per-row validation ({@link IllegalArgumentException}); the batch is bisected
 *     ({@link PoisonIsolation}) until such rows stand alone, the others are stored, and each poison row is counted,
 *     logged at WARN with its id and reported to the {@link Listener} (set on the builder, or later with
 *     {@link #setListener}).</li>
 * <li><b>Every other failure keeps the rows.</b> Whatever its type (a lost connection, a missing table, an
 *     unexpected exception from the delegate's encoder), the rows not yet stored stay held; a retryable failure is
 *     first retried with the {@link RetryPolicy}, then the held rows are tried again, before any newer row, after
 *     the policy's exponential backoff (at least {@code flushInterval}). New rows back up into the bounded buffer,
 *     which pushes back on callers. {@link #stats()} shows the failure ({@code consecutiveFailures},
 *     {@code lastError}) until a write succeeds. Replays are safe because the delegate is idempotent on the row's
 *     id.</li>
 * <li>Rows are dropped only by {@link #close()}, when the database still refuses them after its last try; they are
 *     reported with {@link Listener#onDropped} and counted in {@code dropped}.</li>
 * <li><b>Spooled, when {@link Builder#spool spool} is set.</b> Each accepted row is first appended to a local
 *     append-only log ({@link SpoolSettings}, docs/spool.md) and {@code record()} returns when it is there per the
 *     {@link SpoolDurability}: a JVM killed at any point loses no row {@code record()} returned for. The rows the
 *     spool holds from an earlier run are written (replayed, through the idempotent delegate) when the writer is
 *     built; stored rows are trimmed from it. The in-memory {@code capacity} then only bounds what is held in memory:
 *     rows past it live only in the spool and are read back as room frees, and the full policy applies when the spool
 *     reaches {@code maxBytes} (or its disk is full). {@link #close()} keeps the rows it cannot store in the spool
 *     instead of dropping them.</li>
 * <li><b>Flushed at JVM shutdown.</b> Unless {@code shutdownFlushTimeout} is 0, a shutdown hook closes the writer
 *     when the JVM exits normally (SIGTERM, {@code System.exit}, end of main) and waits at most that long, so rows
 *     {@link #record} accepted are stored although the application never called {@link #close()}.</li>
 * </ul>
 *
 * <p>Thread-safe. The writer owns its flusher thread and its shutdown hook, not the delegate. {@link #close()} is
 * idempotent.
 *
 * @param <T> the row type
 */
public final class BufferedWriter<T> implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BufferedWriter.class);

    /** Defaults (for usage rows: {@code USAGE_BUFFER_*}, {@code USAGE_FLUSH_*}, docs/configuration.md). */
    public static final int DEFAULT_CAPACITY = 100_000;
    public static final int DEFAULT_FLUSH_SIZE = 5_000;
    public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_FULL_TIMEOUT = Duration.ofSeconds(5);
    /** Default longest wait for the flush at JVM shutdown. */
    public static final Duration DEFAULT_SHUTDOWN_FLUSH_TIMEOUT = Duration.ofSeconds(10);

    /** What {@link #record} does when the buffer is full. */
    public enum FullPolicy {
        /** Wait up to the full timeout for room, then throw {@link BufferFullException}. */
        BLOCK,
        /** Throw {@link BufferFullException} at once. */
        REJECT
    }

    /**
     * Hears about rows that left the buffer without being stored. Called on the flusher thread (or the thread calling
     * {@link #flush()} or {@link #close()}); must not block. The same poison-row contract as the Kafka sink's.
     *
     * @param <T> the row type
     */
    public interface Listener<T> extends PoisonListener<T> {
        /** The database refused this row for its data (or it failed validation); not stored, not retried. */
        @Override
        default void onPoison(T row, RuntimeException cause) {
        }

        /** These rows were given up by {@link #close()} while the database still failed to store them. */
        default void onDropped(List<T> rows, RuntimeException cause) {
        }
    }

    /**
     * Stores a batch: synchronously, all rows or a {@link StorageException} (a data error for a batch the database
     * refused for its rows), idempotent on each row's id so that a replayed batch stores nothing twice.
     *
     * @param <T> the row type
     */
    @FunctionalInterface
    public interface BatchWriter<T> {
        void writeAll(List<T> rows);
    }

    /**
     * Counters since start.
     *
     * @param accepted rows accepted by {@link #record}
     * @param written  rows handed to the delegate successfully (replayed duplicates included)
     * @param poison   rows rejected by the database and reported
     * @param dropped  rows dropped (non-retryable batch failure, or given up at close)
     * @param buffered rows in memory now (queued, being written, or held for a retry); never above the capacity
     * @param flushes  batches written
     * @param failures batch attempts that failed after the retry policy (each is retried later)
     * @param consecutiveFailures failed attempts since the last successful write; 0 when writing works
     * @param lastError the last failure (type and message) and when it happened; empty before any failure. Kept
     *                  after a recovery: {@code consecutiveFailures == 0} says whether it still stands
     */
    public record Stats(long accepted, long written, long poison, long dropped, long buffered, long flushes,
                        long failures, long consecutiveFailures, Optional<String> lastError) {
    }

    /**
     * The spool now.
     *
     * @param durability   when {@code record()} returns
     * @param bytes        bytes of spool files (stored rows not yet trimmed included)
     * @param pending      spooled rows not yet stored (in memory or on disk only)
     * @param diskOnly     spooled rows not in memory: past the memory capacity, or from an earlier run, not read back
     * @param fsyncs       group-commit fsyncs since start ({@link SpoolDurability#FSYNC})
     * @param recovered    rows found in the spool at start (replayed)
     * @param lost         records found torn or corrupt (or that the codec could not read) and skipped
     */
    public record SpoolStats(SpoolDurability durability, long bytes, long pending, long diskOnly, long fsyncs,
                             long recovered, long lost) {
    }

    private final BatchWriter<T> delegate;
    private final String kind; // what the rows are, for messages: "usage"
    private final String capacitySetting;
    private final String shutdownSetting;
    private final Function<? super T, ?> idOf;
    private final int capacity;
    private final int flushSize;
    private final long flushIntervalNanos;
    private final FullPolicy fullPolicy;
    private final Duration fullTimeout;
    private final RetryPolicy retry;
    private final UnaryOperator<T> admission;
    private volatile Listener<T> listener;
    private final Duration shutdownFlushTimeout;
    private final Thread shutdownHook; // null when the shutdown flush is off

    // The spool (null without one). Rows enter memory in spool order (appendLock) and leave it in that order (the
    // flusher stores held rows, then the queue, and PoisonIsolation resolves a prefix), so "rows resolved" counts a
    // prefix of the spool: every record below the watermark is stored and may be trimmed.
    private final SegmentLog spool;
    private final SpoolCodec<T> codec;
    private final Object appendLock = new Object();
    private volatile boolean overflow; // written under appendLock: rows wait on disk only; new rows queue behind them there
    private long resolved; // guarded by writeLock: spooled rows stored or reported as poison
    private final TreeSet<Long> undecodable = new TreeSet<>(); // guarded by writeLock: skipped records' sequence numbers
    private final AtomicLong spoolLost = new AtomicLong();
    private volatile long watermark;

    private final ArrayBlockingQueue<T> queue;
    // One permit per row the writer holds in memory: queued, in the batch being written, or held for a retry. Rows
    // taken out of the queue for a write keep their permit until they leave (stored, poison or dropped), so a long
    // outage never lets the queue refill behind a held batch beyond the capacity.
    private final Semaphore room;
    private final ReentrantLock signalLock = new ReentrantLock();
    private final Condition wake = signalLock.newCondition();
    private final ReadWriteLock closeLock = new ReentrantReadWriteLock();
    private final Object writeLock = new Object();
    private final List<T> held = new ArrayList<>(); // guarded by writeLock: rows awaiting a retry
    private final Thread flusher;
    private volatile boolean closed;
    private volatile boolean stopping;

    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong poison = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong flushes = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong consecutiveFailures = new AtomicLong();
    private volatile String lastError;

    private BufferedWriter(Builder<T> b) {
        this.delegate = b.delegate;
        this.kind = b.kind;
        this.capacitySetting = b.capacitySetting;
        this.shutdownSetting = b.shutdownSetting;
        this.idOf = b.idOf;
        this.capacity = b.capacity;
        this.flushSize = b.flushSize;
        this.flushIntervalNanos = b.flushInterval.toNanos();
        this.fullPolicy = b.fullPolicy;
        this.fullTimeout = b.fullTimeout;
        this.retry = b.retry;
        this.admission = b.admission;
        this.listener = b.listener;
        this.shutdownFlushTimeout = b.shutdownFlushTimeout;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.room = new Semaphore(capacity);
        this.flusher = new Thread(this::runFlusher, b.threadName);
        this.flusher.setDaemon(true);
        this.shutdownHook = shutdownFlushTimeout.isZero() ? null
                : new Thread(this::flushAtShutdown, b.threadName + "-shutdown-hook");
        this.codec = b.codec;
        this.spool = b.spool == null ? null : SegmentLog.open(b.spool, b.spoolSetting);
        if (spool != null) {
            SegmentLog.Recovery r = spool.recovery();
            overflow = r.records() > 0; // replayed like rows past the memory capacity: read back as room frees
            spoolLost.set(r.lostRecords());
        }
    }

    /**
     * A builder writing to {@code delegate}, which must be idempotent on the row's id (replays are how retryable
     * failures are survived) and must throw {@link StorageException}s. The delegate receives each row as the
     * {@link Builder#admission admission} returned it, so a delegate fed by an admission that prepares rows stores
     * them as they are, and no row is checked twice.
     *
     * @param kind what the rows are, in messages and logs ("usage", "span")
     * @param idOf the row's id, logged with a poison row
     */
    public static <T> Builder<T> builder(String kind, BatchWriter<T> delegate, Function<? super T, ?> idOf) {
        return new Builder<>(kind, delegate, idOf);
    }

    /**
     * Checks {@code row} (the builder's admission) and buffers it; returns before it is stored.
     *
     * @throws IllegalArgumentException when the row is invalid (nothing buffered)
     * @throws BufferFullException      when the buffer stays full (see {@link FullPolicy})
     * @throws IllegalStateException    after {@link #close()}
     */
    public void record(T row) {
        T admitted = admission.apply(Objects.requireNonNull(row, "row"));
        if (spool != null) {
            spool.awaitDurable(spoolAppend(admitted, codec.encode(admitted)));
            return;
        }
        enqueue(admitted);
    }

    /**
     * Checks every row first (so an invalid row rejects the whole call and nothing is buffered), then buffers
     * them in order. A {@link BufferFullException} part-way leaves the earlier rows accepted.
     */
    public void recordAll(List<T> batch) {
        List<T> admitted = new ArrayList<>(batch.size());
        for (T row : batch) {
            admitted.add(admission.apply(Objects.requireNonNull(row, "row")));
        }
        if (spool != null) {
            recordAllSpooled(admitted);
            return;
        }
        for (T row : admitted) {
            enqueue(row);
        }
    }

    /** Appends each row, then waits once for the last one's durability (also when a later row did not fit). */
    private void recordAllSpooled(List<T> admitted) {
        long last = -1;
        try {
            for (T row : admitted) {
                last = spoolAppend(row, codec.encode(row));
            }
        } finally {
            if (last >= 0) {
                spool.awaitDurable(last);
            }
        }
    }

    /**
     * Appends {@code row} to the spool and puts it in memory when there is room and no older row waits on disk;
     * returns its sequence number. When the spool is full, the full policy applies.
     */
    private long spoolAppend(T row, byte[] bytes) {
        long seq;
        boolean wake;
        closeLock.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("the " + kind + " writer is closed");
            }
            synchronized (appendLock) {
                long deadline = System.nanoTime() + (fullPolicy == FullPolicy.BLOCK ? fullTimeout.toNanos() : 0);
                boolean inMemory;
                while (true) {
                    // Memory only when no older row waits on disk: rows reach the flusher in spool order.
                    inMemory = !overflow && room.tryAcquire();
                    try {
                        seq = spool.append(bytes, inMemory);
                        break;
                    } catch (RuntimeException notAppended) {
                        if (inMemory) {
                            room.release();
                        }
                        throw notAppended;
                    } catch (SegmentLog.FullException full) {
                        if (inMemory) {
                            room.release();
                        }
                        long remaining = deadline - System.nanoTime();
                        if (remaining <= 0) {
                            throw new BufferFullException(kind + " spool is full: " + full.getMessage()
                                    + (fullPolicy == FullPolicy.BLOCK ? "; waited " + fullTimeout.toMillis() + " ms" : "")
                                    + "; the database is slower than the incoming rows or unreachable");
                        }
                        try {
                            TimeUnit.NANOSECONDS.timedWait(appendLock, remaining); // trim() notifies
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new BufferFullException("interrupted while waiting for room in the " + kind + " spool", e);
                        }
                    }
                }
                if (inMemory) {
                    queue.add(row);
                } else {
                    overflow = true; // read back by the flusher, in order, as room frees
                }
                wake = overflow;
            }
            accepted.incrementAndGet();
        } finally {
            closeLock.readLock().unlock();
        }
        if (wake || queue.size() >= flushSize) {
            signal();
        }
        return seq;
    }

    private void enqueue(T m) {
        closeLock.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("the " + kind + " writer is closed");
            }
            boolean ok;
            if (fullPolicy == FullPolicy.REJECT) {
                ok = room.tryAcquire();
            } else {
                try {
                    ok = room.tryAcquire(fullTimeout.toNanos(), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new BufferFullException("interrupted while waiting for room in the " + kind + " buffer", e);
                }
            }
            if (!ok) {
                throw new BufferFullException(kind + " buffer is full (" + capacity + " rows, " + capacitySetting + ")"
                        + (fullPolicy == FullPolicy.BLOCK ? " after waiting " + fullTimeout.toMillis() + " ms" : "")
                        + "; the database is slower than the incoming rows or unreachable");
            }
            queue.add(m); // never full: the queue is as large as the permits
            accepted.incrementAndGet();
        } finally {
            closeLock.readLock().unlock();
        }
        if (queue.size() >= flushSize) {
            signal();
        }
    }

    /**
     * Writes every row accepted before this call, on the calling thread, and returns when they are stored.
     *
     * @throws StorageException the retryable failure that still stands after the retry policy; the rows stay
     *                          buffered and are retried by the next flush
     */
    public void flush() {
        RuntimeException failure = writeBuffered();
        if (failure != null) {
            throw failure instanceof StorageException se ? se : new StorageException("writing buffered " + kind + " rows failed"
                    + " (they stay buffered and are retried): " + PoisonIsolation.describe(failure), failure, false);
        }
    }

    /** The spool's counters; empty without a spool. Never blocks behind a write. */
    public Optional<SpoolStats> spoolStats() {
        if (spool == null) {
            return Optional.empty();
        }
        return Optional.of(new SpoolStats(spool.settings().durability(), spool.bytes(), spool.appended() - watermark,
                spool.unread(), spool.fsyncs(), spool.recovery().records(), spoolLost.get()));
    }

    /** Counters now. Never blocks (in particular not behind a write that waits for an unreachable database). */
    public Stats stats() {
        return new Stats(accepted.get(), written.get(), poison.get(), dropped.get(),
                capacity - room.availablePermits(), flushes.get(), failures.get(), consecutiveFailures.get(),
                Optional.ofNullable(lastError));
    }

    /**
     * Replaces the listener that hears about poison and dropped rows (for a writer built by someone else, such as
     * {@code pool.usage().buffered()}). Takes effect for the next row reported; thread-safe.
     */
    public void setListener(Listener<T> listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /**
     * Stops accepting rows, writes what is buffered (with the retry policy), and stops the flusher. Rows that still
     * cannot be written are reported to {@link Listener#onDropped} and logged. Idempotent.
     */
    @Override
    public void close() {
        closeLock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            closeLock.writeLock().unlock();
        }
        if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shutdownInProgress) {
                // The JVM is exiting; the hook is running or about to, and finds the writer closed.
            }
        }
        stopping = true;
        signal();
        try {
            flusher.join(TimeUnit.MINUTES.toMillis(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        RuntimeException failure = writeBuffered();
        if (failure != null && spool != null) {
            synchronized (writeLock) {
                // Not dropped: the spool keeps them and the next writer on this directory writes them.
                int inMemory = held.size() + queue.size();
                held.clear();
                queue.clear();
                room.release(inMemory);
                log.warn("{} writer closed with {} rows not stored yet; they stay in the spool {} and are written when a"
                        + " writer opens it again: {}", kind, spool.appended() - watermark, spool.settings().dir(),
                        failure.toString());
            }
        } else if (failure != null) {
            synchronized (writeLock) {
                List<T> lost = List.copyOf(held);
                held.clear();
                List<T> rest = new ArrayList<>();
                queue.drainTo(rest);
                List<T> all = new ArrayList<>(lost);
                all.addAll(rest);
                dropped.addAndGet(all.size());
                room.release(all.size());
                log.error("{} writer closed with {} rows it could not store: {}", kind, all.size(), failure.toString());
                notifyDropped(all, failure);
            }
        }
        if (spool != null) {
            if (failure == null) {
                synchronized (writeLock) {
                    spool.trimBelow(watermark, true); // all stored: leave no segment for the next start to replay
                }
            }
            spool.close();
        }
    }

    /**
     * The shutdown hook: closes the writer (which writes what is buffered) on a helper thread and waits at most
     * {@code shutdownFlushTimeout}, so an unreachable database cannot hold the JVM's exit for longer.
     */
    private void flushAtShutdown() {
        if (closed) {
            return;
        }
        Thread closer = new Thread(this::close, flusher.getName() + "-shutdown");
        closer.setDaemon(true);
        closer.start();
        try {
            closer.join(Math.max(1, shutdownFlushTimeout.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (closer.isAlive()) {
            log.error("JVM shutdown: the {} writer did not finish writing within {} ms ({}); {} rows may not be stored",
                    kind, shutdownFlushTimeout.toMillis(), shutdownSetting, stats().buffered());
        }
    }

    @Override
    public String toString() {
        return "BufferedWriter{kind=" + kind + ", capacity=" + capacity + ", flushSize=" + flushSize + ", flushInterval="
                + Duration.ofNanos(flushIntervalNanos) + ", fullPolicy=" + fullPolicy + ", " + stats() + "}";
    }

    private void signal() {
        signalLock.lock();
        try {
            wake.signalAll();
        } finally {
            signalLock.unlock();
        }
    }

    private void runFlusher() {
        long last = System.nanoTime();
        while (!stopping) {
            signalLock.lock();
            try {
                // Real time, not the injected clock: this is a wait, and a Clock cannot wake a thread.
                long failing = consecutiveFailures.get();
                // After a failure the next try waits for the retry policy's backoff (and ignores the size trigger),
                // so a database that refuses every write is not hammered by a full buffer.
                long wait = failing == 0 ? flushIntervalNanos
                        : Math.max(flushIntervalNanos, retry.backoff(failing).toNanos());
                long remaining = last + wait - System.nanoTime();
                while (!stopping && (failing > 0 || (queue.size() < flushSize && !overflow)) && remaining > 0) {
                    remaining = wake.awaitNanos(remaining);
                }
            } catch (InterruptedException e) {
                return;
            } finally {
                signalLock.unlock();
            }
            if (stopping) {
                return;
            }
            try {
                writeBuffered();
            } catch (RuntimeException e) {
                log.error("{} flusher failed unexpectedly; it keeps running", kind, e);
            }
            last = System.nanoTime();
        }
    }

    /** Writes held rows, then the buffer; returns the failure that stands (the rows stay held), or null. */
    private RuntimeException writeBuffered() {
        synchronized (writeLock) {
            if (!held.isEmpty()) {
                List<T> retrying = List.copyOf(held);
                held.clear();
                RuntimeException failure = attempt(retrying);
                if (failure != null) {
                    return failure;
                }
            }
            List<T> batch = new ArrayList<>(Math.min(flushSize, Math.max(16, queue.size())));
            while (refill() | queue.drainTo(batch, flushSize) > 0) {
                List<T> rows = List.copyOf(batch);
                batch.clear();
                RuntimeException failure = attempt(rows);
                if (failure != null) {
                    return failure;
                }
            }
            return null;
        }
    }

    /**
     * Stores {@code batch} (taken out of the queue or {@code held}), isolating poison rows; releases the room of the
     * rows stored or reported, and puts the others in {@code held}. Returns the failure that stopped it, or null.
     * Caller holds {@code writeLock}.
     */
    private RuntimeException attempt(List<T> batch) {
        PoisonIsolation.Outcome<T> outcome;
        try {
            outcome = PoisonIsolation.store(kind + " batch", batch,
                    part -> retry.run("write " + kind + " batch", () -> delegate.writeAll(part)), this::reportPoison);
        } catch (Error e) {
            held.addAll(batch); // keep the rows (and their room) accounted for; replays are idempotent
            throw e;
        }
        written.addAndGet(outcome.stored());
        if (outcome.stored() > 0) {
            flushes.incrementAndGet();
        }
        room.release(outcome.stored() + outcome.poison());
        if (spool != null) {
            resolved += outcome.stored() + outcome.poison();
            trim();
        }
        if (outcome.isComplete()) {
            consecutiveFailures.set(0);
            return null;
        }
        RuntimeException failure = outcome.failure();
        held.addAll(outcome.pending());
        failures.incrementAndGet();
        long failing = consecutiveFailures.incrementAndGet();
        lastError = Instant.now() + " " + PoisonIsolation.describe(failure);
        log.warn("{} batch of {} rows failed ({} consecutive failures); keeping it buffered for a retry: {}",
                kind, outcome.pending().size(), failing, failure.toString());
        return failure;
    }

    /**
     * Moves rows waiting on disk only into memory, oldest first, as far as there is room; true when it moved any.
     * Caller holds {@code writeLock}.
     */
    private boolean refill() {
        if (spool == null) {
            return false;
        }
        int moved = 0;
        synchronized (appendLock) {
            if (!overflow) {
                return false;
            }
            int free = Math.min(room.availablePermits(), flushSize); // stable: in spool mode room is taken under appendLock
            long seq = spool.nextUnread() - 1;
            List<byte[]> records = free == 0 ? List.of() : spool.read(free);
            for (byte[] record : records) {
                seq++;
                T row;
                try {
                    row = codec.decode(record);
                } catch (RuntimeException e) {
                    undecodable.add(seq);
                    spoolLost.incrementAndGet();
                    log.error("{} spool record {} cannot be read back and is skipped (the row is lost): {}", kind, seq,
                            e.toString());
                    continue;
                }
                room.acquireUninterruptibly();
                queue.add(row);
                moved++;
            }
            if (!spool.hasUnread()) {
                overflow = false;
            }
        }
        if (!undecodable.isEmpty()) {
            trim();
        }
        return moved > 0;
    }

    /** Deletes the spool's stored records and wakes callers waiting for spool room. Caller holds {@code writeLock}. */
    private void trim() {
        long w = resolved;
        for (long skipped : undecodable) {
            if (skipped > w) {
                break;
            }
            w++;
        }
        watermark = w;
        synchronized (appendLock) {
            spool.trimBelow(w);
            appendLock.notifyAll();
        }
    }

    private void reportPoison(T row, RuntimeException cause) {
        poison.incrementAndGet();
        log.warn("{} row {} refused for its data and not stored: {}", kind, idOf.apply(row), cause.getMessage());
        listener.onPoison(row, cause);
    }

    private void notifyDropped(List<T> rows, RuntimeException cause) {
        try {
            listener.onDropped(List.copyOf(rows), cause);
        } catch (RuntimeException e) {
            log.warn("{} writer listener failed", kind, e);
        }
    }

    /** Configures a {@link BufferedWriter}; values are checked in the setters. Not thread-safe. */
    public static final class Builder<T> {
        private final String kind;
        private final BatchWriter<T> delegate;
        private final Function<? super T, ?> idOf;
        private String capacitySetting = "capacity";
        private String shutdownSetting = "shutdownFlushTimeout";
        private int capacity = DEFAULT_CAPACITY;
        private int flushSize = DEFAULT_FLUSH_SIZE;
        private Duration flushInterval = DEFAULT_FLUSH_INTERVAL;
        private FullPolicy fullPolicy = FullPolicy.BLOCK;
        private Duration fullTimeout = DEFAULT_FULL_TIMEOUT;
        private RetryPolicy retry = RetryPolicy.none();
        private UnaryOperator<T> admission = UnaryOperator.identity();
        private Listener<T> listener = new Listener<>() {
        };
        private String threadName;
        private Duration shutdownFlushTimeout = DEFAULT_SHUTDOWN_FLUSH_TIMEOUT;
        private SpoolSettings spool;
        private SpoolCodec<T> codec;
        private String spoolSetting = "SPOOL_DIR";

        private Builder(String kind, BatchWriter<T> delegate, Function<? super T, ?> idOf) {
            this.kind = Objects.requireNonNull(kind, "kind");
            this.delegate = Objects.requireNonNull(delegate, "delegate");
            this.idOf = Objects.requireNonNull(idOf, "idOf");
            this.threadName = "llmstore-" + kind + "-flusher";
        }

        /**
         * The configuration variables behind {@code capacity} and {@code shutdownFlushTimeout}, named in the
         * buffer-full error and the shutdown log ({@code USAGE_BUFFER_CAPACITY}); default the builder's names.
         */
        public Builder<T> settings(String capacityVariable, String shutdownFlushTimeoutVariable) {
            this.capacitySetting = Objects.requireNonNull(capacityVariable, "capacityVariable");
            this.shutdownSetting = Objects.requireNonNull(shutdownFlushTimeoutVariable, "shutdownFlushTimeoutVariable");
            return this;
        }

        /**
         * Sizes, shutdown flush timeout and spool from the writer's settings; {@code codec} encodes the rows when
         * {@code settings} has a spool.
         */
        public Builder<T> configure(WriterSettings settings, SpoolCodec<T> codec) {
            capacity(settings.sizes().capacity());
            flushSize(settings.sizes().flushSize());
            flushInterval(settings.sizes().flushInterval());
            shutdownFlushTimeout(settings.shutdownFlushTimeout());
            settings.spool().ifPresent(spool -> spool(spool, codec));
            return this;
        }

        /** Most rows waiting at once, >= 1; default 100,000. */
        public Builder<T> capacity(int rows) {
            if (rows < 1) {
                throw new IllegalArgumentException("capacity must be >= 1, was " + rows);
            }
            this.capacity = rows;
            return this;
        }

        /** Rows per batch, and the buffered count that triggers a write; >= 1; default 5,000. */
        public Builder<T> flushSize(int rows) {
            if (rows < 1) {
                throw new IllegalArgumentException("flushSize must be >= 1, was " + rows);
            }
            this.flushSize = rows;
            return this;
        }

        /** Longest a row waits before a write starts, > 0; default 1 s. */
        public Builder<T> flushInterval(Duration interval) {
            if (interval == null || interval.isZero() || interval.isNegative()) {
                throw new IllegalArgumentException("flushInterval must be > 0, was " + interval);
            }
            this.flushInterval = interval;
            return this;
        }

        /** What to do when full; default {@link FullPolicy#BLOCK} for {@code timeout} (default 5 s). */
        public Builder<T> whenFull(FullPolicy policy, Duration timeout) {
            this.fullPolicy = Objects.requireNonNull(policy, "policy");
            if (timeout == null || timeout.isNegative()) {
                throw new IllegalArgumentException("fullTimeout must be >= 0, was " + timeout);
            }
            this.fullTimeout = timeout;
            return this;
        }

        /**
         * Retries for retryable batch failures, and the backoff between tries of held rows (never shorter than
         * {@code flushInterval}); default none (held rows are tried again every {@code flushInterval}).
         */
        public Builder<T> retry(RetryPolicy policy) {
            this.retry = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * Checks (and may complete) each row on the caller's thread before it is buffered: throws
         * {@link IllegalArgumentException} for an invalid row. Default: accept as is.
         */
        public Builder<T> admission(UnaryOperator<T> check) {
            this.admission = Objects.requireNonNull(check, "check");
            return this;
        }

        /** Hears about poison and dropped rows; default none (they are logged either way). */
        public Builder<T> listener(Listener<T> listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Longest the JVM's exit waits for the buffered rows to be written, by a shutdown hook registered at
         * {@link #build()} and removed by {@link #close()}; {@link Duration#ZERO} = no hook. Default 10 s.
         */
        public Builder<T> shutdownFlushTimeout(Duration timeout) {
            if (timeout == null || timeout.isNegative()) {
                throw new IllegalArgumentException("shutdownFlushTimeout must be >= 0 (0 = no flush at JVM shutdown), was "
                        + timeout);
            }
            this.shutdownFlushTimeout = timeout;
            return this;
        }

        /**
         * Spools every accepted row to {@code settings.dir()} with {@code codec} before {@code record()} returns
         * (see the class contract and docs/spool.md); the spool's rows from an earlier run are written when the writer
         * starts. Default: no spool. {@link #build()} fails with a {@link io.llmstore.core.error.ConfigException}
         * naming {@code SPOOL_DIR} when another process holds the directory.
         */
        public Builder<T> spool(SpoolSettings settings, SpoolCodec<T> codec) {
            this.spool = Objects.requireNonNull(settings, "settings");
            this.codec = Objects.requireNonNull(codec, "codec");
            return this;
        }

        /** Name of the flusher thread; default {@code llmstore-<kind>-flusher}. */
        public Builder<T> threadName(String name) {
            this.threadName = Objects.requireNonNull(name, "name");
            return this;
        }

        /** Builds the writer and starts its flusher thread. */
        public BufferedWriter<T> build() {
            if (flushSize > capacity) {
                throw new IllegalArgumentException("flushSize (" + flushSize + ") must be <= capacity (" + capacity + ")");
            }
            BufferedWriter<T> writer = new BufferedWriter<>(this);
            writer.flusher.start();
            if (writer.overflow) {
                writer.signal(); // replay the spool's rows now, not after the first interval
            }
            if (writer.shutdownHook != null) {
                Runtime.getRuntime().addShutdownHook(writer.shutdownHook);
            }
            return writer;
        }
    }
}
