package io.llmstore.core.usage;

import io.llmstore.core.buffer.BufferedWriter;
import io.llmstore.core.buffer.BufferedWriter.FullPolicy;
import io.llmstore.core.buffer.BufferedWriter.Stats;
import io.llmstore.core.buffer.SpoolSettings;
import io.llmstore.core.error.BufferFullException;
import io.llmstore.core.error.StorageException;
import io.llmstore.core.retry.RetryPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The asynchronous, bounded usage writer: a {@link UsageWriter} over the shared {@link BufferedWriter}, whose contract
 * it keeps (bounded, a row leaves only stored or as a poison row, every other failure keeps the rows, flushed at JVM
 * shutdown). {@link #record} validates the row and buffers it; a background thread writes batches to the delegate
 * (the synchronous, COPY-speed writer). Its errors and logs name the usage settings ({@code USAGE_BUFFER_CAPACITY},
 * {@code USAGE_SHUTDOWN_FLUSH_TIMEOUT}).
 *
 * <p>Thread-safe; {@link #close()} is idempotent. The writer owns its flusher thread and shutdown hook, not the
 * delegate.
 */
public final class BufferedUsageWriter implements UsageWriter, AutoCloseable {
    /** Defaults, as documented in docs/configuration.md ({@code USAGE_BUFFER_*}, {@code USAGE_FLUSH_*}). */
    public static final int DEFAULT_CAPACITY = BufferedWriter.DEFAULT_CAPACITY;
    public static final int DEFAULT_FLUSH_SIZE = BufferedWriter.DEFAULT_FLUSH_SIZE;
    public static final Duration DEFAULT_FLUSH_INTERVAL = BufferedWriter.DEFAULT_FLUSH_INTERVAL;
    public static final Duration DEFAULT_FULL_TIMEOUT = BufferedWriter.DEFAULT_FULL_TIMEOUT;
    /** Default longest wait for the flush at JVM shutdown ({@code USAGE_SHUTDOWN_FLUSH_TIMEOUT}). */
    public static final Duration DEFAULT_SHUTDOWN_FLUSH_TIMEOUT = BufferedWriter.DEFAULT_SHUTDOWN_FLUSH_TIMEOUT;
    /** Its spool directory under {@code SPOOL_DIR}, and its name in {@code pool.stats()}. */
    public static final String SPOOL_KIND = "usage";

    /** Hears about usage rows that left the buffer without being stored (see {@link BufferedWriter.Listener}). */
    public interface Listener extends BufferedWriter.Listener<UsageMetric> {
    }

    private final BufferedWriter<UsageMetric> buffer;

    private BufferedUsageWriter(BufferedWriter<UsageMetric> buffer) {
        this.buffer = buffer;
    }

    /**
     * A builder writing to {@code delegate}, which must be idempotent on {@code eventId} (replays are how
     * retryable failures are survived) and must throw {@link StorageException}s. The delegate receives each row as
     * the {@link Builder#admission admission} returned it; when the admission is the delegate's own preparation,
     * give a delegate that stores prepared rows as they are, so no row is checked twice (the PostgreSQL adapter:
     * {@code admission(writer::prepare)} with {@code builder(writer.preparedRows())}).
     */
    public static Builder builder(UsageWriter delegate) {
        return new Builder(Objects.requireNonNull(delegate, "delegate"));
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
        buffer.record(metric);
    }

    /**
     * Validates every row first (so an invalid row rejects the whole call and nothing is buffered), then buffers
     * them in order. A {@link BufferFullException} part-way leaves the earlier rows accepted.
     */
    @Override
    public void recordAll(List<UsageMetric> metrics) {
        buffer.recordAll(metrics);
    }

    /** See {@link BufferedWriter#flush()}: writes every row accepted before this call, and returns when stored. */
    public void flush() {
        buffer.flush();
    }

    /** Counters now; never blocks. */
    public Stats stats() {
        return buffer.stats();
    }

    /** The spool's counters; empty without a spool (see {@link BufferedWriter#spoolStats()}). */
    public Optional<BufferedWriter.SpoolStats> spoolStats() {
        return buffer.spoolStats();
    }

    /** Replaces the listener that hears about poison and dropped rows; takes effect for the next row reported. */
    public void setListener(BufferedWriter.Listener<UsageMetric> listener) {
        buffer.setListener(listener);
    }

    /** Stops accepting rows, writes what is buffered, stops the flusher (see {@link BufferedWriter#close()}). */
    @Override
    public void close() {
        buffer.close();
    }

    @Override
    public String toString() {
        return "BufferedUsageWriter" + buffer.toString().substring("BufferedWriter".length());
    }

    /** Configures a {@link BufferedUsageWriter}: the {@link BufferedWriter.Builder} settings, for usage rows. */
    public static final class Builder {
        private final BufferedWriter.Builder<UsageMetric> buffer;

        private Builder(UsageWriter delegate) {
            this.buffer = BufferedWriter.builder("usage", delegate::recordAll, UsageMetric::eventId)
                    .settings("USAGE_BUFFER_CAPACITY", "USAGE_SHUTDOWN_FLUSH_TIMEOUT");
        }

        /** Most rows waiting at once, >= 1; default 100,000. */
        public Builder capacity(int rows) {
            buffer.capacity(rows);
            return this;
        }

        /** Rows per batch, and the buffered count that triggers a write; >= 1; default 5,000. */
        public Builder flushSize(int rows) {
            buffer.flushSize(rows);
            return this;
        }

        /** Longest a row waits before a write starts, > 0; default 1 s. */
        public Builder flushInterval(Duration interval) {
            buffer.flushInterval(interval);
            return this;
        }

        /** What to do when full; default {@link FullPolicy#BLOCK} for {@code timeout} (default 5 s). */
        public Builder whenFull(FullPolicy policy, Duration timeout) {
            buffer.whenFull(policy, timeout);
            return this;
        }

        /** Retries for retryable batch failures, and the backoff between tries of held rows; default none. */
        public Builder retry(RetryPolicy policy) {
            buffer.retry(policy);
            return this;
        }

        /** Checks (and may complete) each row on the caller's thread before it is buffered; default as is. */
        public Builder admission(UnaryOperator<UsageMetric> check) {
            buffer.admission(check);
            return this;
        }

        /** Hears about poison and dropped rows; default none (they are logged either way). */
        public Builder listener(BufferedWriter.Listener<UsageMetric> listener) {
            buffer.listener(listener);
            return this;
        }

        /** Longest the JVM's exit waits for the buffered rows; {@link Duration#ZERO} = no hook. Default 10 s. */
        public Builder shutdownFlushTimeout(Duration timeout) {
            buffer.shutdownFlushTimeout(timeout);
            return this;
        }

        /**
         * Spools every accepted row to {@code settings.dir()} ({@link UsageSpoolCodec}) before {@code record()}
         * returns; see {@link BufferedWriter.Builder#spool} and docs/spool.md. Default: no spool.
         */
        public Builder spool(SpoolSettings settings) {
            buffer.spool(settings, UsageSpoolCodec.INSTANCE);
            return this;
        }

        /** Name of the flusher thread; default {@code llmstore-usage-flusher}. */
        public Builder threadName(String name) {
            buffer.threadName(name);
            return this;
        }

        /** Builds the writer and starts its flusher thread. */
        public BufferedUsageWriter build() {
            return new BufferedUsageWriter(buffer.build());
        }
    }
}
