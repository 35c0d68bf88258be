package io.llmstore.core.error;

/**
 * A backend could not be reached or the connection broke. Always retryable.
 */
public class ConnectionException extends StorageException {
    private static final long serialVersionUID = 1L;

    public ConnectionException(String message, Throwable cause) {
        super(message, cause, true);
    }

    public ConnectionException(String message) {
        this(message, null);
    }
}
