package io.llmstore.timescale.internal;

import java.sql.Connection;
import java.sql.SQLException;
import com.zaxxer.hikari.HikariDataSource;
import javax.sql.DataSource;

/**
 * Runs JDBC work on a borrowed connection and translates failures once ({@link SqlErrors#translate}): autocommit
 * work, or one transaction that commits when the work returns and rolls back when it throws.
 */
public final class Jdbc {
    /** Work on a connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private final DataSource dataSource;

    public Jdbc(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** {@code work} in autocommit. */
    public <T> T autocommit(String operation, Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw SqlErrors.translate(operation, e);
        }
    }

    /**
     * {@code work} in one transaction; an exception of the work rolls it back and is rethrown as it is. A connection
     * lost meanwhile is evicted from the pool: work that ran COPY on the unwrapped driver connection broke it where
     * the pool's proxy did not see it, and the pool would hand the dead connection out again.
     */
    public <T> T transaction(String operation, Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException e) {
                evictIfBroken(dataSource, c, e);
                rollbackQuietly(c, e);
                throw e;
            } catch (RuntimeException e) {
                rollbackQuietly(c, e);
                throw e;
            } finally {
                restoreAutoCommit(c, true);
            }
        } catch (SQLException e) {
            throw SqlErrors.translate(operation, e);
        }
    }

    /**
     * Evicts {@code c} from a HikariCP pool when {@code e} says the connection is lost. Work that ran COPY on the
     * unwrapped driver connection broke it where the pool's proxy did not see it, and the pool would hand the dead
     * connection out again (and again: a writer retrying within HikariCP's 500 ms alive-bypass window never gets it
     * validated). Found by the fault suite's proxy cut.
     */
    public static void evictIfBroken(DataSource dataSource, Connection c, SQLException e) {
        if (SqlErrors.isConnectionLoss(e) && dataSource instanceof HikariDataSource hikari) {
            hikari.evictConnection(c);
        }
    }

    /** Restores auto-commit; a broken connection is left to the pool, which discards it. */
    public static void restoreAutoCommit(Connection c, boolean autoCommit) {
        try {
            c.setAutoCommit(autoCommit);
        } catch (SQLException ignored) {
            // a broken connection: the pool discards it; the work's own error is the one that matters
        }
    }

    /** Rolls back, attaching a failing rollback to {@code cause} (a dead connection cannot roll back). */
    public static void rollbackQuietly(Connection c, Throwable cause) {
        try {
            c.rollback();
        } catch (SQLException r) {
            cause.addSuppressed(r);
        }
    }
}
