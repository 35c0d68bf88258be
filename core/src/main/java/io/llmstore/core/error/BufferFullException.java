package io.llmstore.core.error;

/**
 * A bounded buffer (the async usage writer, the Kafka producer) is full and the configured wait ran out.
 * Nothing was accepted; retryable once the backend drains the buffer.
 */
public class BufferFullException extends StorageException {
    private static final long serialVersionUID = 1L;

    public BufferFullException(String message) {
        super(message, true);
    }

    public BufferFullException(String message, Throwable cause) {
        super(message, cause, true);
    }
}
