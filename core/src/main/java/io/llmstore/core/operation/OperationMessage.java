package io.llmstore.core.operation;

import java.util.Objects;
import java.util.UUID;

/**
 * A row of {@code llm_messages}: one message of an operation's conversation (prompt, answer, tool call), in
 * {@code sequenceNumber} order. The content is stored verbatim, of any size PostgreSQL's {@code text} holds (1 GB):
 * every Unicode character but U+0000, which {@code text} cannot hold and is refused here, as is a lone surrogate.
 *
 * @param messageId      the message's id, the primary key
 * @param role           who wrote it ({@code system}, {@code user}, {@code assistant}, {@code tool}, ...), not blank
 * @param content        the text, never null (may be empty)
 * @param sequenceNumber its place in the operation, {@code >= 0}, unique within the operation
 */
public record OperationMessage(UUID messageId, String role, String content, int sequenceNumber) {
    public OperationMessage {
        Objects.requireNonNull(messageId, "messageId");
        Texts.requireNotBlank("role", role);
        Objects.requireNonNull(content, "content");
        Texts.requireStorable("content of message " + sequenceNumber, content);
        if (sequenceNumber < 0) {
            throw new IllegalArgumentException("sequenceNumber must be >= 0, was " + sequenceNumber);
        }
    }

    /** A message with a random id. */
    public static OperationMessage of(String role, String content, int sequenceNumber) {
        return new OperationMessage(UUID.randomUUID(), role, content, sequenceNumber);
    }
}
