package io.llmstore.core.error;

/**
 * A statement or command was rejected by the server. The adapter that translated the driver's error says, in
 * driver-neutral terms, what kind of rejection it was: {@link #isRetryable()} for a transient cause (serialization
 * failure, deadlock, admin shutdown), {@link #isDataError()} when the server refused the data the statement carried,
 * so the same data would be refused again. Which driver codes mean which is the adapter's knowledge (for
 * PostgreSQL: its {@code SqlErrors}), never core's.
 */
public class QueryException extends StorageException {
    private static final long serialVersionUID = 1L;

    private final String sqlState;
    private final boolean dataError;

    public QueryException(String message, Throwable cause, boolean retryable) {
        this(message, cause, null, retryable);
    }

    /** A rejection that is not the data's fault (see {@link #dataError} for one that is). */
    public QueryException(String message, Throwable cause, String sqlState, boolean retryable) {
        this(message, cause, sqlState, retryable, false);
    }

    private QueryException(String message, Throwable cause, String sqlState, boolean retryable, boolean dataError) {
        super(message, cause, retryable);
        this.sqlState = sqlState;
        this.dataError = dataError;
    }

    /**
     * The server refused the data the statement carried (a value out of range, a bad encoding, a constraint
     * violated): never retryable, and a batch failing this way holds at least one row that would fail again, which
     * {@link io.llmstore.core.failure.PoisonIsolation} isolates.
     *
     * @param sqlState the backend's code for the failure, kept for diagnostics; may be null
     */
    public static QueryException dataError(String message, Throwable cause, String sqlState) {
        return new QueryException(message, cause, sqlState, false, true);
    }

    /** The backend's own code for the failure (a PostgreSQL SQLState), for diagnostics; null when it has none. */
    public String sqlState() {
        return sqlState;
    }

    /** True when the server refused the statement for the data it carried; see {@link #dataError}. */
    public boolean isDataError() {
        return dataError;
    }
}
