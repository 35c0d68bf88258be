package io.llmstore.timescale.trace;

import io.llmstore.core.buffer.BufferedWriter;
import io.llmstore.core.buffer.SpoolCodec;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.llmstore.core.price.Cost;
import io.llmstore.core.price.PriceCatalog;
import io.llmstore.core.retry.RetryPolicy;
import io.llmstore.core.trace.LlmSpan;
import io.llmstore.core.trace.SpanSpoolCodec;
import io.llmstore.core.trace.SpanTotals;
import io.llmstore.core.trace.TraceCursor;
import io.llmstore.core.trace.TraceFilter;
import io.llmstore.core.trace.TraceIds;
import io.llmstore.core.trace.TracePage;
import io.llmstore.core.trace.TraceSummary;
import io.llmstore.core.trace.TraceTree;
import io.llmstore.core.trace.Traces;
import io.llmstore.core.usage.UsageMetric;
import io.llmstore.timescale.usage.TimescaleUsageWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * {@link Traces} on PostgreSQL/TimescaleDB: resolves and checks each span on the caller's thread, buffers it in the
 * shared {@link BufferedWriter} (kind {@code span}, settings {@code TRACE_*}), and stores batches with
 * {@link SpanBatchWriter}; queries through {@link SpanQueries}.
 *
 * <p><b>Trace-id resolution, race-free across threads and instances.</b> The trace's UUID is computed from the
 * application's string ({@link TraceIds#uuidOf}), so no writer has to ask another or the database which UUID a new
 * trace gets; the trace row is inserted with {@code ON CONFLICT DO NOTHING} in the transaction that stores the
 * batch's spans, so however many writers see a new trace at once there is one row, and no span is ever stored
 * without its trace row. A bounded cache (Caffeine, {@code CACHE_TRACE_ID_SIZE} traces, least recently used out)
 * holds each trace's UUID and whether its row is known to be stored, so a batch of known traces skips the insert and
 * the UUID is computed once per trace. An entry is never stale: the UUID is a function of the id, and a stored trace
 * row is never updated (only a row deleted by hand would be missing until the entry is evicted).
 *
 * <p>Thread-safe. The backend owns it and closes it (flushing) before the connection pool.
 */
public final class TimescaleTraces implements Traces, AutoCloseable {
    private final SpanBatchWriter batches;
    private final BufferedWriter<ResolvedSpan> buffer;
    private final SpanQueries queries;
    private final RetryPolicy retry;
    private final Cache<String, TraceRef> knownTraces;
    private final PriceCatalog catalog; // null: leave missing costs missing
    private final boolean recordUsage;

    private TimescaleTraces(TraceOptions o, DataSource dataSource, RetryPolicy retry, TimescaleUsageWriter usageWriter) {
        this.retry = retry;
        // Caffeine by size only: a trace's UUID never changes, and an expiry would read the clock on every span.
        this.knownTraces = Caffeine.newBuilder().maximumSize(o.traceCache().maximumSize()).build();
        this.catalog = o.catalog();
        this.recordUsage = usageWriter != null;
        this.batches = new SpanBatchWriter(dataSource, usageWriter);
        this.queries = new SpanQueries(dataSource, retry);
        BufferedWriter.Builder<ResolvedSpan> builder = BufferedWriter.<ResolvedSpan>builder("span", batches::store,
                        ResolvedSpan::id)
                .settings("TRACE_BUFFER_CAPACITY", "TRACE_SHUTDOWN_FLUSH_TIMEOUT")
                .capacity(o.capacity())
                .flushSize(o.flushSize())
                .flushInterval(o.flushInterval())
                .whenFull(BufferedWriter.FullPolicy.BLOCK, o.fullTimeout())
                .retry(retry)
                .shutdownFlushTimeout(o.shutdownFlushTimeout());
        // SPOOL_DIR: the span is spooled as resolved (its cost filled); a replay resolves its trace and usage row again
        // (both are functions of the span), so only the span's own bytes are on disk.
        o.spool().ifPresent(spool -> builder.spool(spool, new SpoolCodec<>() {
            @Override
            public byte[] encode(ResolvedSpan row) {
                return SpanSpoolCodec.INSTANCE.encode(row.span());
            }

            @Override
            public ResolvedSpan decode(byte[] bytes) {
                return resolve(SpanSpoolCodec.INSTANCE.decode(bytes));
            }
        }));
        this.buffer = builder.build();
    }

    /**
     * The feature over {@code dataSource} (not owned); starts the span flusher.
     *
     * @param usageWriter where span usage rows go ({@code TRACE_RECORD_USAGE}), null for none
     */
    public static TimescaleTraces open(TraceOptions options, DataSource dataSource, RetryPolicy retry,
                                       TimescaleUsageWriter usageWriter) {
        return new TimescaleTraces(Objects.requireNonNull(options, "options"), Objects.requireNonNull(dataSource),
                Objects.requireNonNull(retry), options.recordUsage() ? usageWriter : null);
    }

    @Override
    public void write(LlmSpan span) {
        buffer.record(resolve(span));
    }

    @Override
    public void writeAll(List<LlmSpan> spans) {
        Objects.requireNonNull(spans, "spans");
        List<ResolvedSpan> resolved = new ArrayList<>(spans.size());
        for (LlmSpan s : spans) {
            resolved.add(resolve(s));
        }
        // Deduplicated by key first: one COPY must not hold the same span twice (it would be refused as a replay
        // of itself, then stored once through the staging path; this way the fast path stays fast).
        Map<String, ResolvedSpan> unique = new LinkedHashMap<>();
        for (ResolvedSpan r : resolved) {
            unique.putIfAbsent(r.trace().id + "\u0000" + r.span().spanId() + "\u0000" + r.span().startTime(), r);
        }
        List<ResolvedSpan> rows = List.copyOf(unique.values());
        retry.run("storing spans", () -> batches.store(rows));
    }

    /**
     * The span ready to store: checked (the record checked its fields; here the span must not be null), its trace
     * UUID resolved (from the stored-traces cache, else computed), its cost filled from the price catalog when it has
     * usage but no cost, its usage row built when {@code TRACE_RECORD_USAGE} is on.
     */
    ResolvedSpan resolve(LlmSpan span) {
        Objects.requireNonNull(span, "span");
        TraceRef trace = knownTraces.get(span.traceId(), TraceRef::new);
        LlmSpan s = span;
        if (s.costUsd() == null && s.usage() != null && catalog != null && s.provider() != null && model(s) != null) {
            Optional<Cost> cost = catalog.cost(s.provider(), model(s), s.usage(), s.startTime());
            if (cost.isPresent()) {
                s = s.withCost(cost.get().total(), cost.get().pricedBy().source());
            }
        }
        return new ResolvedSpan(s, trace, recordUsage ? usageRow(s) : null);
    }

    /**
     * The trace's stored UUID, as {@link #write} resolves it: a cache hit for a trace this instance has seen (the
     * {@code traces} benchmark measures these), else computed and cached ({@link TraceIds#uuidOf}, the same value).
     */
    public UUID resolveTraceId(String traceId) {
        return knownTraces.get(Objects.requireNonNull(traceId, "traceId"), TraceRef::new).id;
    }

    private static String model(LlmSpan s) {
        return s.responseModel() != null ? s.responseModel() : s.requestModel();
    }

    /** The usage row of a span with usage, a provider and a model; null otherwise. */
    private static UsageMetric usageRow(LlmSpan s) {
        if (s.usage() == null || s.provider() == null || model(s) == null) {
            return null;
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("trace_id", s.traceId());
        meta.put("span_id", s.spanId());
        return UsageMetric.builder()
                .eventId(TraceIds.usageEventIdOf(s.traceId(), s.spanId()))
                .time(s.startTime())
                .model(model(s))
                .provider(s.provider())
                .tokens(s.usage())
                .costUsd(s.costUsd() == null || s.costUsd().scale() <= UsageMetric.COST_SCALE ? s.costUsd()
                        : s.costUsd().setScale(UsageMetric.COST_SCALE, java.math.RoundingMode.HALF_UP))
                .priceSource(s.priceSource())
                .latencyMs(s.latency().toNanos() / 1e6)
                .errors(s.isError() ? 1 : 0)
                .successes(s.isError() ? 0 : 1)
                .user(s.userId())
                .metadata(JsonText.object(meta))
                .build();
    }

    @Override
    public void flush() {
        buffer.flush();
    }

    @Override
    public BufferedWriter.Stats stats() {
        return buffer.stats();
    }

    @Override
    public Optional<BufferedWriter.SpoolStats> spoolStats() {
        return buffer.spoolStats();
    }

    @Override
    public void setListener(BufferedWriter.Listener<LlmSpan> listener) {
        Objects.requireNonNull(listener, "listener");
        buffer.setListener(new BufferedWriter.Listener<>() {
            @Override
            public void onPoison(ResolvedSpan row, RuntimeException cause) {
                listener.onPoison(row.span(), cause);
            }

            @Override
            public void onDropped(List<ResolvedSpan> rows, RuntimeException cause) {
                listener.onDropped(rows.stream().map(ResolvedSpan::span).toList(), cause);
            }
        });
    }

    @Override
    public Optional<TraceTree> trace(String traceId) {
        return queries.trace(traceId);
    }

    @Override
    public Optional<TraceSummary> totals(String traceId) {
        return queries.totals(traceId);
    }

    @Override
    public List<LlmSpan> slowestSpans(Instant from, Instant to, int limit) {
        return queries.slowest(from, to, limit);
    }

    @Override
    public List<LlmSpan> errorSpans(Instant from, Instant to, int limit) {
        return queries.errors(from, to, limit);
    }

    @Override
    public TracePage traces(TraceFilter filter, Optional<TraceCursor> after, int limit) {
        return queries.traces(filter, after, limit);
    }

    @Override
    public SpanTotals conversationCost(String conversationId) {
        return queries.conversationCost(conversationId);
    }

    /** Writes what is buffered and stops the flusher (see {@link BufferedWriter#close()}); idempotent. */
    @Override
    public void close() {
        buffer.close();
    }

    @Override
    public String toString() {
        return "TimescaleTraces{" + buffer + ", knownTraces=" + knownTraces.estimatedSize() + ", fillCost=" + (catalog != null)
                + ", recordUsage=" + recordUsage + "}";
    }
}
