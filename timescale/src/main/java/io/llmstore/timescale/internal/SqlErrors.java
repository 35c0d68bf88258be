package io.llmstore.timescale.internal;

import io.llmstore.core.error.ConnectionException;
import io.llmstore.core.error.PoolExhaustedException;
import io.llmstore.core.error.QueryException;
import io.llmstore.core.error.SqlStates;
import io.llmstore.core.error.StorageException;
import io.llmstore.core.error.StorageTimeoutException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/** Translates JDBC failures into llmstore's errors, once, at this module's boundary. */
public final class SqlErrors {
    private SqlErrors() {
    }

    /**
     * The llmstore error for {@code e}: {@link PoolExhaustedException} when HikariCP timed out waiting for a free
     * connection, {@link ConnectionException} for SQLState class 08 and shutdowns, {@link StorageTimeoutException}
     * for a cancelled statement (57014), else {@link QueryException} carrying the SQLState, retryable per
     * {@link SqlStates#isRetryable}. pgjdbc messages never contain the password.
     */
    public static StorageException translate(String operation, SQLException e) {
        String state = e.getSQLState();
        if (e instanceof SQLTransientConnectionException && e.getCause() == null
                && String.valueOf(e.getMessage()).contains("request timed out")) {
            return new PoolExhaustedException("no PostgreSQL connection free for " + operation + ": "
                    + e.getMessage() + " (raise DB_POOL_MAX_CONNECTIONS or DB_POOL_CONNECT_TIMEOUT)", e);
        }
        if (e instanceof SQLTransientConnectionException || SqlStates.isConnectionLoss(state)) {
            return new ConnectionException("PostgreSQL connection failed during " + operation + ": " + message(e), e);
        }
        if ("57014".equals(state)) {
            return new StorageTimeoutException(operation + " timed out: " + message(e), e);
        }
        return new QueryException(operation + " failed: " + message(e) + (state == null ? "" : " [SQLState " + state + "]"),
                e, state, SqlStates.isRetryable(state));
    }

    private static String message(SQLException e) {
        Throwable cause = e.getCause();
        String m = e.getMessage();
        if (cause instanceof SQLException && cause.getMessage() != null) {
            // HikariCP's timeout wraps the driver's reason (e.g. password authentication failed): show the reason.
            m = cause.getMessage();
        } else if ((m == null || m.isBlank()) && cause != null) {
            m = cause.getMessage();
        }
        return m == null ? e.getClass().getSimpleName() : m;
    }
}
