package io.llmstore.core.error;

/**
 * A call did not finish within its configured timeout. Retryable.
 */
public class StorageTimeoutException extends StorageException {
    private static final long serialVersionUID = 1L;

    public StorageTimeoutException(String message, Throwable cause) {
        super(message, cause, true);
    }

    public StorageTimeoutException(String message) {
        this(message, null);
    }
}
