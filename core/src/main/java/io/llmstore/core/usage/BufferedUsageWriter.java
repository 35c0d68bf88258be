package io.llmstore.core.usage;

import io.llmstore.core.error.BufferFullException;
import io.llmstore.core.error.QueryException;
import io.llmstore.core.error.StorageException;
import io.llmstore.core.retry.RetryPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
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
 * An asynchronous, bounded usage writer: {@link #record} validates the row and puts it in a bounded in-memory
 * buffer; a background thread writes the buffer to the delegate (the synchronous, COPY-speed writer) when it
 * holds {@code flushSize} rows or {@code flushInterval} has passed, and on {@link #flush()} and {@link #close()}.
 *
 * <p>Contract:
 * <ul>
 * <li><b>Bounded.</b> At most {@code capacity} rows wait, counting the batch being written and the batch held for
 *     a retry (a row keeps its place until it is stored, reported or dropped). When full, {@link FullPolicy#BLOCK} waits up to
 *     {@code fullTimeout} for room, {@link FullPolicy#REJECT} fails at once; either way the caller gets a
 *     {@link BufferFullException} and the row is not accepted.</li>
 * <li><b>Accepted rows survive retryable failures.</b> A batch that fails retryably (connection lost, pool
 *     exhausted, deadlock) is retried with the {@link RetryPolicy}; when attempts run out it stays buffered and is
 *     tried again before any newer row (new rows then back up into the bounded buffer, which pushes back on
 *     callers). Replays are safe because the delegate is idempotent on {@code eventId}.</li>
 * <li><b>Poison rows are isolated.</b> When the database rejects a batch for its data (SQLState class 22 or 23),
 *     the batch is split in halves until the rejected rows stand alone; the others are stored and each rejected
 *     row is reported to the {@link Listener} and logged at WARN with its event id.</li>
 * <li>A batch failing for another, non-retryable reason (e.g. the table is missing) is dropped and reported with
 *     {@link Listener#onDropped}; so are rows still failing retryably when {@link #close()} gives up.</li>
 * </ul>
 *
 * <p>Thread-safe; {@link #stats()} never waits for a write in progress. The writer owns its flusher thread, not the
 * delegate. {@link #close()} is idempotent.
 */
public final class BufferedUsageWriter implements UsageWriter, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BufferedUsageWriter.class);

    /** Defaults, as documented in the README ({@code USAGE_BUFFER_*}, {@code USAGE_FLUSH_*}). */
    public static final int DEFAULT_CAPACITY = 100_000;
    public static final int DEFAULT_FLUSH_SIZE = 5_000;
    public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_FULL_TIMEOUT = Duration.ofSeconds(5);

    /** What {@link #record} does when the buffer is full. */
    public enum FullPolicy {
        /** Wait up to the full timeout for room, then throw {@link BufferFullException}. */
        BLOCK,
        /** Throw {@link BufferFullException} at once. */
        REJECT
    }

    /** Hears about rows that could not be stored. Called on the flusher thread (or the closing thread); must not block. */
    public interface Listener {
        /** The database rejected this row for its data; it was not stored and will not be retried. */
        default void onPoisonRow(UsageMetric row, StorageException cause) {
        }

        /** These rows were dropped after a non-retryable failure, or at close while the database stayed unreachable. */
        default void onDropped(List<UsageMetric> rows, StorageException cause) {
        }
    }

    /**
     * Counters since start.
     *
     * @param accepted rows accepted by {@link #record}
     * @param written  rows handed to the delegate successfully (replayed duplicates included)
     * @param poison   rows rejected by the database and reported
     * @param dropped  rows dropped (non-retryable batch failure, or given up at close)
     * @param buffered rows waiting now (in the buffer or held for retry)
     * @param flushes  batches written
     * @param failures batch attempts that failed after the retry policy (each is retried later)
     */
    public record Stats(long accepted, long written, long poison, long dropped, long buffered, long flushes,
                        long failures) {
    }

    private final UsageWriter delegate;
    private final int capacity;
    private final int flushSize;
    private final long flushIntervalNanos;
    private final FullPolicy fullPolicy;
    private final Duration fullTimeout;
    private final RetryPolicy retry;
    private final UnaryOperator<UsageMetric> admission;
    private final Listener listener;

    private final ArrayBlockingQueue<UsageMetric> queue;
    // One permit per free place: taken by enqueue, given back only once the row left for good (stored, poison,
    // dropped), so the batch in flight and the batch held for a retry count against the capacity too.
    private final Semaphore room;
    private final ReentrantLock signalLock = new ReentrantLock();
    private final Condition wake = signalLock.newCondition();
    private final ReadWriteLock closeLock = new ReentrantReadWriteLock();
    private final Object writeLock = new Object();
    private final List<UsageMetric> held = new ArrayList<>(); // guarded by writeLock: rows awaiting a retry
    private final Thread flusher;
    private volatile boolean closed;
    private volatile boolean stopping;

    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong poison = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong flushes = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    private BufferedUsageWriter(Builder b) {
        this.delegate = b.delegate;
        this.capacity = b.capacity;
        this.flushSize = b.flushSize;
        this.flushIntervalNanos = b.flushInterval.toNanos();
        this.fullPolicy = b.fullPolicy;
        this.fullTimeout = b.fullTimeout;
        this.retry = b.retry;
        this.admission = b.admission;
        this.listener = b.listener;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.room = new Semaphore(capacity);
        this.flusher = new Thread(this::runFlusher, b.threadName);
        this.flusher.setDaemon(true);
    }

    /**
     * A builder writing to {@code delegate}, which must be idempotent on {@code eventId} (replays are how
     * retryable failures are survived) and must throw {@link StorageException}s.
     */
    public static Builder builder(UsageWriter delegate) {
        return new Builder(delegate);
    }

    /**
     * Validates {@code metric} (the admission rules: metadata, cost filling) and buffers it; returns before it is
     * stored.
     *
     * @throws IllegalArgumentException when the row is invalid (nothing buffered)
     * @throws BufferFullException      when the buffer stays full (see {@link FullPolicy})
     * @throws IllegalStateException    after {@link #close()}
     */
    @Override
    public void record(UsageMetric metric) {
        enqueue(admission.apply(Objects.requireNonNull(metric, "metric")));
    }

    /**
     * Validates every row first (so an invalid row rejects the whole call and nothing is buffered), then buffers
     * them in order. A {@link BufferFullException} part-way leaves the earlier rows accepted.
     */
    @Override
    public void recordAll(List<UsageMetric> metrics) {
        List<UsageMetric> admitted = new ArrayList<>(metrics.size());
        for (UsageMetric m : metrics) {
            admitted.add(admission.apply(Objects.requireNonNull(m, "metric")));
        }
        for (UsageMetric m : admitted) {
            enqueue(m);
        }
    }

    private void enqueue(UsageMetric m) {
        closeLock.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("BufferedUsageWriter is closed");
            }
            boolean ok;
            if (fullPolicy == FullPolicy.REJECT) {
                ok = room.tryAcquire();
            } else {
                try {
                    ok = room.tryAcquire(fullTimeout.toNanos(), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    throw new BufferFullException("interrupted while waiting for room in the usage buffer", e);
                }
            }
            if (!ok) {
                throw new BufferFullException("usage buffer is full (" + capacity + " rows, USAGE_BUFFER_CAPACITY)"
                        + (fullPolicy == FullPolicy.BLOCK ? " after waiting " + fullTimeout.toMillis() + " ms" : "")
                        + "; the database is slower than the incoming rows or unreachable");
            }
            queue.add(m); // cannot fail: the permit guarantees a free slot in the queue
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
        StorageException failure = writeBuffered();
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Counters now. Does not wait for a write in progress; {@code buffered} counts the rows queued, being written
     * and held for a retry.
     */
    public Stats stats() {
        return new Stats(accepted.get(), written.get(), poison.get(), dropped.get(),
                capacity - room.availablePermits(), flushes.get(), failures.get());
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
        stopping = true;
        signal();
        try {
            flusher.join(TimeUnit.MINUTES.toMillis(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        StorageException failure = writeBuffered();
        if (failure != null) {
            synchronized (writeLock) {
                List<UsageMetric> lost = List.copyOf(held);
                held.clear();
                List<UsageMetric> rest = new ArrayList<>();
                queue.drainTo(rest);
                List<UsageMetric> all = new ArrayList<>(lost);
                all.addAll(rest);
                dropped.addAndGet(all.size());
                room.release(all.size());
                log.error("usage writer closed with {} rows it could not store: {}", all.size(), failure.toString());
                notifyDropped(all, failure);
            }
        }
    }

    @Override
    public String toString() {
        return "BufferedUsageWriter{capacity=" + capacity + ", flushSize=" + flushSize + ", flushInterval="
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
                long remaining = last + flushIntervalNanos - System.nanoTime();
                while (!stopping && queue.size() < flushSize && remaining > 0) {
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
                log.error("usage flusher failed unexpectedly; it keeps running", e);
            }
            last = System.nanoTime();
        }
    }

    /** Writes held rows, then the buffer; returns the standing retryable failure, or null when all is stored. */
    private StorageException writeBuffered() {
        synchronized (writeLock) {
            if (!held.isEmpty()) {
                StorageException failure = tryStore(held);
                if (failure != null) {
                    return failure;
                }
                room.release(held.size());
                held.clear();
            }
            List<UsageMetric> batch = new ArrayList<>(Math.min(flushSize, Math.max(16, queue.size())));
            while (queue.drainTo(batch, flushSize) > 0) {
                StorageException failure = tryStore(batch);
                if (failure != null) {
                    held.addAll(batch);
                    return failure;
                }
                room.release(batch.size());
                batch.clear();
            }
            return null;
        }
    }

    private StorageException tryStore(List<UsageMetric> batch) {
        try {
            store(List.copyOf(batch));
            return null;
        } catch (StorageException e) {
            failures.incrementAndGet();
            log.warn("usage batch of {} rows failed ({}); keeping it buffered for a retry", batch.size(), e.toString());
            return e;
        }
    }

    /** Stores {@code batch}, isolating poison rows; throws only a retryable failure (the whole batch may be replayed). */
    private void store(List<UsageMetric> batch) {
        try {
            retry.run("write usage batch", () -> delegate.recordAll(batch));
            written.addAndGet(batch.size());
            flushes.incrementAndGet();
        } catch (StorageException e) {
            if (e.isRetryable()) {
                throw e;
            }
            if (!isDataError(e)) {
                dropped.addAndGet(batch.size());
                log.error("dropping a usage batch of {} rows after a non-retryable failure: {}", batch.size(), e.toString());
                notifyDropped(batch, e);
                return;
            }
            isolate(batch, e);
        } catch (IllegalArgumentException e) {
            isolate(batch, new QueryException(e.getMessage(), e, "22023", false));
        }
    }

    private void isolate(List<UsageMetric> batch, StorageException cause) {
        if (batch.size() == 1) {
            UsageMetric row = batch.get(0);
            poison.incrementAndGet();
            log.warn("usage row {} rejected by the database and not stored: {}", row.eventId(), cause.getMessage());
            try {
                listener.onPoisonRow(row, cause);
            } catch (RuntimeException e) {
                log.warn("usage writer listener failed", e);
            }
            return;
        }
        int mid = batch.size() / 2;
        store(batch.subList(0, mid));
        store(batch.subList(mid, batch.size()));
    }

    private void notifyDropped(List<UsageMetric> rows, StorageException cause) {
        try {
            listener.onDropped(List.copyOf(rows), cause);
        } catch (RuntimeException e) {
            log.warn("usage writer listener failed", e);
        }
    }

    private static boolean isDataError(StorageException e) {
        return e instanceof QueryException q && q.sqlState() != null
                && (q.sqlState().startsWith("22") || q.sqlState().startsWith("23"));
    }

    /** Configures a {@link BufferedUsageWriter}; values are checked in the setters. Not thread-safe. */
    public static final class Builder {
        private final UsageWriter delegate;
        private int capacity = DEFAULT_CAPACITY;
        private int flushSize = DEFAULT_FLUSH_SIZE;
        private Duration flushInterval = DEFAULT_FLUSH_INTERVAL;
        private FullPolicy fullPolicy = FullPolicy.BLOCK;
        private Duration fullTimeout = DEFAULT_FULL_TIMEOUT;
        private RetryPolicy retry = RetryPolicy.none();
        private UnaryOperator<UsageMetric> admission = UnaryOperator.identity();
        private Listener listener = new Listener() {
        };
        private String threadName = "llmstore-usage-flusher";

        private Builder(UsageWriter delegate) {
            this.delegate = Objects.requireNonNull(delegate, "delegate");
        }

        /** Most rows waiting at once, >= 1; default 100,000. */
        public Builder capacity(int rows) {
            if (rows < 1) {
                throw new IllegalArgumentException("capacity must be >= 1, was " + rows);
            }
            this.capacity = rows;
            return this;
        }

        /** Rows per batch, and the buffered count that triggers a write; >= 1; default 5,000. */
        public Builder flushSize(int rows) {
            if (rows < 1) {
                throw new IllegalArgumentException("flushSize must be >= 1, was " + rows);
            }
            this.flushSize = rows;
            return this;
        }

        /** Longest a row waits before a write starts, > 0; default 1 s. */
        public Builder flushInterval(Duration interval) {
            if (interval == null || interval.isZero() || interval.isNegative()) {
                throw new IllegalArgumentException("flushInterval must be > 0, was " + interval);
            }
            this.flushInterval = interval;
            return this;
        }

        /** What to do when full; default {@link FullPolicy#BLOCK} for {@code timeout} (default 5 s). */
        public Builder whenFull(FullPolicy policy, Duration timeout) {
            this.fullPolicy = Objects.requireNonNull(policy, "policy");
            if (timeout == null || timeout.isNegative()) {
                throw new IllegalArgumentException("fullTimeout must be >= 0, was " + timeout);
            }
            this.fullTimeout = timeout;
            return this;
        }

        /** Retries for retryable batch failures; default none (the held batch is retried at the next flush). */
        public Builder retry(RetryPolicy policy) {
            this.retry = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * Checks (and may complete) each row on the caller's thread before it is buffered: throws
         * {@link IllegalArgumentException} for an invalid row. Default: accept as is.
         */
        public Builder admission(UnaryOperator<UsageMetric> check) {
            this.admission = Objects.requireNonNull(check, "check");
            return this;
        }

        /** Hears about poison and dropped rows; default none (they are logged either way). */
        public Builder listener(Listener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        public Builder threadName(String name) {
            this.threadName = Objects.requireNonNull(name, "name");
            return this;
        }

        /** Builds the writer and starts its flusher thread. */
        public BufferedUsageWriter build() {
            if (flushSize > capacity) {
                throw new IllegalArgumentException("flushSize (" + flushSize + ") must be <= capacity (" + capacity + ")");
            }
            BufferedUsageWriter writer = new BufferedUsageWriter(this);
            writer.flusher.start();
            return writer;
        }
    }
}
