package io.llmstore.timescale.trace;

import io.llmstore.core.usage.UsageMetric;
import io.llmstore.timescale.internal.IdempotentCopy;
import io.llmstore.timescale.internal.Jdbc;
import io.llmstore.timescale.internal.SqlErrors;
import io.llmstore.timescale.usage.TimescaleUsageWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Stores a batch of resolved spans in one transaction, idempotently on {@code (trace_id, span_id, start_time)}:
 * first the rows of the batch's traces that the cache does not know as stored ({@code INSERT ... ON CONFLICT DO
 * NOTHING}, in UUID order so two writers never wait on each other in opposite orders), then the spans by COPY
 * straight into {@code llm_spans}; when the batch holds an already stored span (a replay: unique violation) the
 * transaction is rolled back and the batch goes through a session temp table and {@code INSERT ... ON CONFLICT DO
 * NOTHING} instead, the way the usage writer does. After the commit the traces are marked stored. Then,
 * with {@code TRACE_RECORD_USAGE}, the spans' usage rows go to the usage writer (idempotent on their derived event
 * ids), so a replayed batch records each usage row once too.
 *
 * <p>Thread-safe; borrows one connection per batch from a {@link DataSource} it does not own. One attempt per call;
 * failures are translated {@link io.llmstore.core.error.StorageException}s.
 */
final class SpanBatchWriter {
    /** COPY exactly once per span (replays go through a staging table, see {@link IdempotentCopy}). */
    private static final IdempotentCopy<ResolvedSpan, SpanCopyEncoder> COPY = new IdempotentCopy<>(
            "llm_spans", SpanCopyEncoder.COLUMNS, "trace_id, span_id, start_time", "llmstore_span_staging", 400,
            SpanCopyEncoder::new, SpanCopyEncoder::append);
    private static final String ENSURE_TRACES = "INSERT INTO llm_traces (trace_id, external_id)"
            + " SELECT * FROM unnest(?::uuid[], ?::varchar[]) ON CONFLICT (trace_id) DO NOTHING";

    private final DataSource dataSource;
    private final TimescaleUsageWriter usageWriter; // null unless TRACE_RECORD_USAGE

    SpanBatchWriter(DataSource dataSource, TimescaleUsageWriter usageWriter) {
        this.dataSource = dataSource;
        this.usageWriter = usageWriter;
    }

    /** Stores {@code spans} (and their trace rows, and usage rows when on); returns how many spans were new. */
    int store(List<ResolvedSpan> spans) {
        if (spans.isEmpty()) {
            return 0;
        }
        TreeMap<UUID, TraceRef> newTraces = new TreeMap<>();
        for (ResolvedSpan r : spans) {
            if (!r.trace().isStored()) {
                newTraces.put(r.trace().id, r.trace());
            }
        }
        int stored;
        try (Connection c = dataSource.getConnection()) {
            try {
                stored = write(c, newTraces, spans);
            } catch (SQLException e) {
                Jdbc.evictIfBroken(dataSource, c, e);
                throw e;
            }
        } catch (SQLException e) {
            throw SqlErrors.translate("storing " + spans.size() + " spans", e);
        }
        newTraces.values().forEach(TraceRef::markStored);
        if (usageWriter != null) {
            List<UsageMetric> usage = new ArrayList<>();
            for (ResolvedSpan r : spans) {
                if (r.usageRow() != null) {
                    usage.add(r.usageRow());
                }
            }
            usageWriter.store(usage); // idempotent on the derived event id: a replay stores nothing twice
        }
        return stored;
    }

    /** The spans and their new trace rows in one transaction: no span is committed without its trace. */
    private static int write(Connection c, TreeMap<UUID, TraceRef> newTraces, List<ResolvedSpan> spans)
            throws SQLException {
        return COPY.write(c, spans, tx -> ensureTraces(tx, newTraces));
    }

    private static void ensureTraces(Connection c, TreeMap<UUID, TraceRef> traces) throws SQLException {
        if (traces.isEmpty()) {
            return;
        }
        String[] ids = new String[traces.size()];
        String[] external = new String[traces.size()];
        int i = 0;
        for (var e : traces.entrySet()) {
            ids[i] = e.getKey().toString();
            external[i++] = e.getValue().external;
        }
        try (PreparedStatement ps = c.prepareStatement(ENSURE_TRACES)) {
            ps.setArray(1, c.createArrayOf("text", ids));
            ps.setArray(2, c.createArrayOf("text", external));
            ps.executeUpdate();
        }
    }
}
