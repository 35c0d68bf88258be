package io.llmstore.timescale.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.IntFunction;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * A batch stored by COPY exactly once, into a table whose unique key makes a replay harmless: first straight into the
 * table (psql's speed); if any row of the batch is already stored (unique violation 23505, i.e. a replay) the
 * transaction is rolled back, so nothing of it stays, and the batch goes through a session temp table and
 * {@code INSERT ... ON CONFLICT DO NOTHING} instead. Fresh batches, the common case, pay no staging cost; replays pay
 * one aborted COPY. A failing rollback is attached to the failure being thrown, never thrown instead of it.
 *
 * <p>The one home of this pattern: the usage writer and the span writer both store through it.
 *
 * @param <R> the row type
 * @param <B> the row's COPY text encoder
 */
public final class IdempotentCopy<R, B extends CopyTextBuffer> {
    private static final int CHUNK_BYTES = 1 << 20;

    /** SQL run inside each attempt's transaction before the rows (for example the rows' parent keys). */
    @FunctionalInterface
    public interface Step {
        Step NONE = c -> { };

        void run(Connection c) throws SQLException;
    }

    private final String copyTable;
    private final String copyStaging;
    private final String createStaging;
    private final String moveStaging;
    private final int bytesPerRow;
    private final IntFunction<B> newEncoder;
    private final BiConsumer<B, R> append;

    /**
     * @param table       the target table
     * @param columns     the COPY column list, in the encoder's order
     * @param conflictKey the unique key a replayed row collides on, e.g. {@code event_id, time}
     * @param staging     the session temp table's name
     * @param bytesPerRow a typical row's COPY size (sizes the first buffer)
     * @param newEncoder  an encoder with the given initial capacity
     * @param append      appends one row's line to an encoder
     */
    public IdempotentCopy(String table, String columns, String conflictKey, String staging, int bytesPerRow,
                          IntFunction<B> newEncoder, BiConsumer<B, R> append) {
        this.copyTable = "COPY " + table + " (" + columns + ") FROM STDIN";
        this.copyStaging = "COPY " + staging + " (" + columns + ") FROM STDIN";
        this.createStaging = "CREATE TEMP TABLE IF NOT EXISTS " + staging + " (LIKE " + table
                + " INCLUDING DEFAULTS) ON COMMIT DELETE ROWS";
        this.moveStaging = "INSERT INTO " + table + " (" + columns + ") SELECT " + columns + " FROM " + staging
                + " ON CONFLICT (" + conflictKey + ") DO NOTHING";
        this.bytesPerRow = bytesPerRow;
        this.newEncoder = newEncoder;
        this.append = append;
    }

    /** Stores {@code rows} in one transaction on {@code c}; returns how many were new. */
    public int write(Connection c, List<R> rows, Step before) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            try {
                before.run(c);
                copy(c, copyTable, rows);
                c.commit();
                return rows.size();
            } catch (SQLException e) {
                if (!"23505".equals(e.getSQLState())) {
                    throw e; // rolled back below
                }
                try {
                    c.rollback(); // a replayed row: nothing of this attempt stays, the staging path stores the rest
                } catch (SQLException r) {
                    r.addSuppressed(e); // a lost connection (retryable); the replay it interrupted stays visible
                    throw r;
                }
            }
            before.run(c);
            try (Statement st = c.createStatement()) {
                st.execute(createStaging);
            }
            copy(c, copyStaging, rows);
            int inserted;
            try (Statement st = c.createStatement()) {
                inserted = st.executeUpdate(moveStaging);
            }
            c.commit();
            return inserted;
        } catch (SQLException | RuntimeException e) {
            Jdbc.rollbackQuietly(c, e);
            throw e;
        } finally {
            Jdbc.restoreAutoCommit(c, autoCommit);
        }
    }

    private void copy(Connection c, String sql, List<R> rows) throws SQLException {
        CopyIn in = c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql);
        try {
            B encoder = newEncoder.apply((int) Math.min(CHUNK_BYTES, (long) rows.size() * bytesPerRow) + 1024);
            for (R row : rows) {
                append.accept(encoder, row);
                if (encoder.length() >= CHUNK_BYTES) {
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
}
