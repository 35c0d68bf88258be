package io.llmstore.timescale.trace;

import com.zaxxer.hikari.HikariDataSource;
import io.llmstore.core.usage.UsageMetric;
import io.llmstore.timescale.internal.SqlErrors;
import io.llmstore.timescale.usage.TimescaleUsageWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.UUID;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

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
    private static final int COPY_CHUNK_BYTES = 1 << 20;
    private static final String STAGING = "llmstore_span_staging";
    private static final String CREATE_STAGING = "CREATE TEMP TABLE IF NOT EXISTS " + STAGING
            + " (LIKE llm_spans INCLUDING DEFAULTS) ON COMMIT DELETE ROWS";
    private static final String MOVE_STAGING = "INSERT INTO llm_spans (" + SpanCopyEncoder.COLUMNS + ") SELECT "
            + SpanCopyEncoder.COLUMNS + " FROM " + STAGING + " ON CONFLICT (trace_id, span_id, start_time) DO NOTHING";
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
                evictIfBroken(c, e);
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

    private static int write(Connection c, TreeMap<UUID, TraceRef> newTraces, List<ResolvedSpan> spans)
            throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            try {
                ensureTraces(c, newTraces);
                copy(c, "llm_spans", spans);
                c.commit();
                return spans.size();
            } catch (SQLException e) {
                if (!"23505".equals(e.getSQLState())) {
                    throw e;
                }
                c.rollback(); // a replayed span: nothing of this attempt stays, the staging path stores the rest
            }
            ensureTraces(c, newTraces);
            try (Statement st = c.createStatement()) {
                st.execute(CREATE_STAGING);
            }
            copy(c, STAGING, spans);
            int inserted;
            try (Statement st = c.createStatement()) {
                inserted = st.executeUpdate(MOVE_STAGING);
            }
            c.commit();
            return inserted;
        } catch (SQLException | RuntimeException e) {
            try {
                c.rollback();
            } catch (SQLException r) {
                e.addSuppressed(r);
            }
            throw e;
        } finally {
            try {
                c.setAutoCommit(autoCommit);
            } catch (SQLException ignored) {
                // The connection is broken (the failure being thrown says why); the pool discards it.
            }
        }
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

    private static void copy(Connection c, String table, List<ResolvedSpan> spans) throws SQLException {
        CopyIn in = c.unwrap(PGConnection.class).getCopyAPI()
                .copyIn("COPY " + table + " (" + SpanCopyEncoder.COLUMNS + ") FROM STDIN");
        try {
            SpanCopyEncoder encoder = new SpanCopyEncoder(Math.min(COPY_CHUNK_BYTES, spans.size() * 400) + 1024);
            for (ResolvedSpan r : spans) {
                encoder.append(r);
                if (encoder.length() >= COPY_CHUNK_BYTES) {
                    in.writeToCopy(encoder.buffer(), 0, encoder.length());
                    encoder.reset();
                }
            }
            if (encoder.length() > 0) {
                in.writeToCopy(encoder.buffer(), 0, encoder.length());
            }
            in.endCopy();
        } finally {
            if (in.isActive()) {
                try {
                    in.cancelCopy();
                } catch (SQLException ignored) {
                    // The server already ended the COPY with the error being thrown; keep that one.
                }
            }
        }
    }

    /** As the usage writer: a connection lost mid-COPY is evicted, never handed out again (see its note). */
    private void evictIfBroken(Connection c, SQLException e) {
        if (SqlErrors.isConnectionLoss(e) && dataSource instanceof HikariDataSource hikari) {
            hikari.evictConnection(c);
        }
    }
}
