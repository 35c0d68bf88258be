package io.llmstore.core.error;

/**
 * No pooled connection became free within the configured connect timeout. Retryable.
 */
public class PoolExhaustedException extends StorageException {
    private static final long serialVersionUID = 1L;

    public PoolExhaustedException(String message, Throwable cause) {
        super(message, cause, true);
    }
}
