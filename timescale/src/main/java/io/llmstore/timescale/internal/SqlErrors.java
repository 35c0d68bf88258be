package io.llmstore.timescale.internal;

import io.llmstore.core.error.ConnectionException;
import io.llmstore.core.error.PoolExhaustedException;
import io.llmstore.core.error.QueryException;
import io.llmstore.core.error.StorageException;
import io.llmstore.core.error.StorageTimeoutException;
import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;

/**
 * Translates JDBC failures into llmstore's errors, once, at this module's boundary. The one place that knows what
 * PostgreSQL's SQLStates mean: it tells core through driver-neutral flags ({@code isRetryable()},
 * {@link QueryException#isDataError()}), so core and the other modules never read a SQLState.
 */
public final class SqlErrors {
    private SqlErrors() {
    }

    /**
     * The llmstore error for {@code e}: {@link PoolExhaustedException} when HikariCP timed out waiting for a free
     * connection, {@link ConnectionException} (retryable) for a lost connection however it is worded
     * ({@link #isConnectionLoss}), {@link StorageTimeoutException}
     * for a cancelled statement (57014), a {@link QueryException#dataError data-error} {@link QueryException} for
     * a refusal of the statement's data ({@link #isDataError}), else a {@link QueryException} carrying the SQLState,
     * retryable per {@link #isRetryable}. pgjdbc messages never contain the password.
     */
    public static StorageException translate(String operation, SQLException e) {
        return translate(operation, e, false);
    }

    /**
     * As {@link #translate(String, SQLException)}, for a connection from the application's own {@code DataSource}
     * when {@code injected}: a refused login then names that DataSource's credentials, not {@code DB_USER} /
     * {@code DB_PASSWORD} / {@code DATABASE_URL}, which do not apply to it.
     */
    public static StorageException translate(String operation, SQLException e, boolean injected) {
        String login = injected ? injectedLoginRefusal(e) : loginRefusal(e);
        if (login != null) {
            return new ConnectionException("PostgreSQL refused the login during " + operation + ": " + message(e)
                    + " (" + login + ")", e);
        }
        String state = e.getSQLState();
        if (e instanceof SQLTransientConnectionException && e.getCause() == null
                && String.valueOf(e.getMessage()).contains("request timed out")) {
            return new PoolExhaustedException("no PostgreSQL connection free for " + operation + ": "
                    + e.getMessage() + " (raise DB_POOL_MAX_CONNECTIONS or DB_POOL_CONNECT_TIMEOUT)", e);
        }
        if (isConnectionLoss(e)) {
            return new ConnectionException("PostgreSQL connection failed during " + operation + ": " + message(e), e);
        }
        if ("57014".equals(state)) {
            return new StorageTimeoutException(operation + " timed out: " + message(e), e);
        }
        String message = operation + " failed: " + message(e) + (state == null ? "" : " [SQLState " + state + "]");
        if (isDataError(state)) {
            return QueryException.dataError(message, e, state);
        }
        return new QueryException(message, e, state, isRetryable(state));
    }

    /**
     * True for the SQLStates worth retrying: connection failures (class 08), serialization failure (40001),
     * deadlock (40P01), admin/crash shutdown and cannot-connect-now (57P01, 57P02, 57P03), and "too many
     * connections" (53300).
     *
     * @param sqlState a five-character SQLState, may be null (then false)
     */
    public static boolean isRetryable(String sqlState) {
        if (sqlState == null) {
            return false;
        }
        return sqlState.startsWith("08")
                || sqlState.equals("40001")
                || sqlState.equals("40P01")
                || sqlState.equals("57P01")
                || sqlState.equals("57P02")
                || sqlState.equals("57P03")
                || sqlState.equals("53300");
    }

    /**
     * True when the SQLState says the server refused the statement for the data it carried, so the same data would
     * be refused again: class 22 (data exception: a value out of range, a bad encoding, an invalid timestamp) and
     * class 23 (integrity constraint violation). A batch failing this way holds at least one poison row.
     */
    public static boolean isDataError(String sqlState) {
        return sqlState != null && (sqlState.startsWith("22") || sqlState.startsWith("23"));
    }

    /** True when the SQLState alone says the connection is gone: class 08 or an admin/crash shutdown (57P0x). */
    private static boolean isConnectionLossState(String sqlState) {
        return sqlState != null && (sqlState.startsWith("08") || sqlState.startsWith("57P0"));
    }

    /** What to fix when the server refused the login of the application's DataSource, or null when it did not. */
    private static String injectedLoginRefusal(SQLException e) {
        return loginRefusal(e) == null ? null : "check the user and password of the DataSource given to"
                + " PostgresBackendProvider.using(...): it connects with its own, DB_USER / DB_PASSWORD / DATABASE_URL"
                + " do not apply to it";
    }

    /**
     * What to fix when the server refused the login, or null when {@code e} (or the driver error HikariCP wrapped in
     * it) is no login refusal. The password is optional in the configuration (trust and peer authentication need
     * none), so the server is the one that says it needs one; this turns its answer into the variables to set.
     */
    private static String loginRefusal(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (!(t instanceof SQLException sql)) {
                continue;
            }
            String state = String.valueOf(sql.getSQLState());
            String text = String.valueOf(sql.getMessage());
            if (state.equals("08004") && text.contains("no password was provided")) {
                return "the server asks for a password and none is configured: set DB_PASSWORD, or give it in "
                        + "DATABASE_URL as postgresql://user:password@host:port/db (percent-encoded)";
            }
            if (state.equals("28P01")) {
                return "the server refused the password: check DB_PASSWORD, or the password in DATABASE_URL, "
                        + "which wins over DB_PASSWORD";
            }
            if (state.equals("28000")) {
                return "the server does not admit this user from here: check DB_USER or the user in DATABASE_URL, "
                        + "and the server's pg_hba.conf";
            }
        }
        return null;
    }

    /**
     * True when {@code e} says the connection is gone, however the driver or the pool words it: SQLState class 08
     * or an admin/crash shutdown (57P01-57P03) anywhere in the cause chain, a {@link SQLRecoverableException},
     * {@link SQLTransientConnectionException} or {@link SQLNonTransientConnectionException}, an
     * {@link IOException} cause (the socket broke), or HikariCP's closed proxy ("Connection is closed", which
     * carries no SQLState). The one place that knows this; everything else asks {@code isRetryable()}.
     */
    public static boolean isConnectionLoss(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IOException || t instanceof SQLRecoverableException
                    || t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException) {
                return true;
            }
            if (t instanceof SQLException s) {
                if (isConnectionLossState(s.getSQLState())) {
                    return true;
                }
                String m = s.getMessage();
                if (s.getSQLState() == null && m != null
                        && (m.startsWith("Connection is closed") || m.contains("connection has been closed"))) {
                    return true;
                }
            }
        }
        return false;
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
