package io.llmstore.core.trace;

import io.llmstore.core.buffer.BufferedWriter;
import io.llmstore.core.error.BufferFullException;
import io.llmstore.core.error.StorageException;
import io.llmstore.core.spi.BackendDescriptor;
import io.llmstore.core.spi.Feature;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The trace-recording feature, {@code pool.traces()}: writes {@link LlmSpan}s and reads them back as trees, totals
 * and pages. Served by the PostgreSQL backend ({@code llmstore-timescale}), tables {@code llm_traces} and
 * {@code llm_spans}.
 *
 * <p><b>Writing.</b> {@link #write} resolves the span's string trace id to the trace's UUID ({@link TraceIds#uuidOf}:
 * computed, the same in every thread and instance), fills a missing cost from the price catalog, and buffers the
 * span in the shared bounded {@link BufferedWriter} (settings {@code TRACE_*}); the flusher stores each batch by COPY
 * in one transaction together with the rows of the traces it is the first to see ({@code INSERT ... ON CONFLICT DO
 * NOTHING}: one trace row however many writers race), skipping traces a bounded cache ({@code CACHE_TRACE_ID_*})
 * knows are stored. Replays are idempotent on (trace, span id, start time). {@link #writeAll} does the same
 * synchronously. {@link #flush()}, the pool's close and the JVM's exit write what is buffered.
 *
 * <p><b>Reading.</b> Totals are computed from the spans when asked ({@link SpanTotals}: a late span counts as soon as
 * it is stored; a parent and its child are never both counted).
 *
 * <p>Thread-safe. The pool owns it; do not close it.
 */
public interface Traces {
    /** The feature's descriptor: needs PostgreSQL. */
    Feature<Traces> FEATURE = Feature.of("trace recording", Traces.class, BackendDescriptor.POSTGRES);

    /**
     * Checks and buffers {@code span}; returns before it is stored.
     *
     * @throws IllegalArgumentException when the span cannot be stored (nothing buffered)
     * @throws BufferFullException      when the buffer stays full ({@code TRACE_BUFFER_CAPACITY})
     */
    void write(LlmSpan span);

    /**
     * Stores {@code spans} now, in one transaction with their trace rows, retrying retryable failures
     * ({@code DB_RETRY_*}); idempotent.
     *
     * @throws IllegalArgumentException when a span cannot be stored (nothing is stored)
     * @throws StorageException         the failure that stands after the retries
     */
    void writeAll(List<LlmSpan> spans);

    /** Writes every span {@link #write} accepted before this call, and returns when they are stored. */
    void flush();

    /** The span buffer's counters; never blocks. */
    BufferedWriter.Stats stats();

    /**
     * The span spool's counters ({@code SPOOL_DIR}, directory {@code <SPOOL_DIR>/span}, docs/spool.md); empty without
     * a spool. Never blocks.
     */
    Optional<BufferedWriter.SpoolStats> spoolStats();

    /** Replaces the listener that hears about spans refused for their data or dropped at close. */
    void setListener(BufferedWriter.Listener<LlmSpan> listener);

    /** The trace with its spans as a tree in start order (orphans marked), empty when no span of it is stored. */
    Optional<TraceTree> trace(String traceId);

    /** The trace's totals, empty when no span of it is stored. */
    Optional<TraceSummary> totals(String traceId);

    /** The {@code limit} longest spans starting in {@code [from, to)}, longest first (then by start). */
    List<LlmSpan> slowestSpans(Instant from, Instant to, int limit);

    /** The {@code limit} latest spans with status ERROR starting in {@code [from, to)}, latest first. */
    List<LlmSpan> errorSpans(Instant from, Instant to, int limit);

    /**
     * The traces matching {@code filter}, ordered by their first matching span's start then UUID, {@code limit}
     * (1..1000) per page, after {@code after}.
     */
    TracePage traces(TraceFilter filter, Optional<TraceCursor> after, int limit);

    /** The totals of every span of {@code conversationId} ({@link SpanTotals}'s billing rule); NONE when unknown. */
    SpanTotals conversationCost(String conversationId);
}
