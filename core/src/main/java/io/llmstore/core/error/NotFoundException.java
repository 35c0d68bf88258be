package io.llmstore.core.error;

/**
 * The requested row, key or topic does not exist. Not retryable.
 */
public class NotFoundException extends StorageException {
    private static final long serialVersionUID = 1L;

    public NotFoundException(String message) {
        super(message, false);
    }
}
