package io.llmstore.core.event;

/**
 * Bytes that are not a valid {@link LlmEvent}: not JSON at all ({@link #isMalformed()}), or JSON whose field breaks a
 * rule (the message names the wire field, the rule and the value, e.g. {@code "tokens.input must be >= 0, was -3"}).
 * Not a {@link io.llmstore.core.error.StorageException}: retrying cannot fix it, so consumers dead-letter it.
 */
public class InvalidEventException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final boolean malformed;

    public InvalidEventException(String message, boolean malformed, Throwable cause) {
        super(message, cause);
        this.malformed = malformed;
    }

    /** True when the bytes are not a JSON object at all; false when a field is missing or breaks a rule. */
    public boolean isMalformed() {
        return malformed;
    }
}
