package io.llmstore.core.conversation;

import java.time.Instant;

/**
 * A message as stored: its session, its place in the session ({@code sequence}, 1, 2, 3, ... with no gap), when it
 * was stored (the server's clock) and the message itself.
 */
public record StoredMessage(String userId, String sessionId, long sequence, Instant timestamp, Message message) {
    /** The role. */
    public Role role() {
        return message.role();
    }

    /** The content, verbatim. */
    public String content() {
        return message.content();
    }
}
