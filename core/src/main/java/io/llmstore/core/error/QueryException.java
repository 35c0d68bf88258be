package io.llmstore.core.error;

/**
 * A statement or command was rejected by the server. Retryable only for transient causes
 * (serialization failure, deadlock, admin shutdown); see {@link SqlStates#isRetryable(String)}.
 */
public class QueryException extends StorageException {
    private static final long serialVersionUID = 1L;

    private final String sqlState;

    public QueryException(String message, Throwable cause, boolean retryable) {
        this(message, cause, null, retryable);
    }

    public QueryException(String message, Throwable cause, String sqlState, boolean retryable) {
        super(message, cause, retryable);
        this.sqlState = sqlState;
    }

    /** The PostgreSQL SQLState of the failure, or null when the backend has none. */
    public String sqlState() {
        return sqlState;
    }
}
