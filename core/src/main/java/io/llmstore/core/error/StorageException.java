package io.llmstore.core.error;

/**
 * Root of every failure llmstore reports. Unchecked, so callers catch only what they can act on.
 *
 * <p>Adapters translate driver exceptions (SQLState classes, Lettuce, Kafka) into this family once, at the
 * adapter boundary, keeping the driver exception as the cause; what a driver's codes mean stays in the adapter, which
 * tells core through driver-neutral flags ({@link #isRetryable()}, {@link QueryException#isDataError()}). {@link #isRetryable()} tells whether the same
 * call may succeed if tried again; {@link io.llmstore.core.retry.RetryPolicy} retries only those.
 *
 * <p>Messages never contain secrets: adapters mask passwords before they build a message.
 */
public class StorageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final boolean retryable;

    public StorageException(String message, Throwable cause, boolean retryable) {
        super(message, cause);
        this.retryable = retryable;
        if (cause instanceof InterruptedException) {
            // Keep the interrupt visible to the caller's thread: we swallowed the InterruptedException.
            Thread.currentThread().interrupt();
        }
    }

    public StorageException(String message, boolean retryable) {
        this(message, null, retryable);
    }

    /** True when trying the same call again may succeed (connection lost, pool exhausted, timeout, deadlock...). */
    public boolean isRetryable() {
        return retryable;
    }
}
