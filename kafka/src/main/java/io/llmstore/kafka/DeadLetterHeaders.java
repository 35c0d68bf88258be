package io.llmstore.kafka;

/**
 * Headers an {@link EventConsumer} adds to a record it sends to the dead-letter topic (the original key, value and
 * headers are kept unchanged). Values are UTF-8 text.
 */
public final class DeadLetterHeaders {
    private DeadLetterHeaders() {
    }

    /** Why: {@code malformed} (not JSON), {@code invalid} (a field breaks a rule), {@code rejected} (the handler refused it). */
    public static final String REASON = "llmstore.dlq.reason";
    /** The error message, naming the field where there is one; at most 2,000 characters. */
    public static final String ERROR = "llmstore.dlq.error";
    /** The exception's class name. */
    public static final String EXCEPTION = "llmstore.dlq.exception";
    /** Source topic. */
    public static final String TOPIC = "llmstore.dlq.source.topic";
    /** Source partition, decimal. */
    public static final String PARTITION = "llmstore.dlq.source.partition";
    /** Source offset, decimal. */
    public static final String OFFSET = "llmstore.dlq.source.offset";
    /** Source record timestamp, epoch milliseconds, decimal. */
    public static final String TIMESTAMP = "llmstore.dlq.source.timestamp";
    /** Consumer group that dead-lettered it. */
    public static final String GROUP = "llmstore.dlq.group";

    /** {@link #REASON} value: not JSON, or not an object. */
    public static final String MALFORMED = "malformed";
    /** {@link #REASON} value: JSON whose field is missing or breaks a rule. */
    public static final String INVALID = "invalid";
    /** {@link #REASON} value: the handler refused this event (non-retryable). */
    public static final String REJECTED = "rejected";
}
