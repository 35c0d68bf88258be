package io.llmstore.core.trace;

import java.time.Instant;
import java.util.Objects;

/**
 * Which traces a {@link Traces#traces} page lists: those with a span of {@code userId} (and/or of
 * {@code conversationId}) starting in {@code [from, to)}. Build it with {@link #ofUser} or {@link #ofConversation}.
 *
 * @param userId         the user, or null for any
 * @param conversationId the conversation, or null for any
 * @param from           inclusive start of the window
 * @param to             exclusive end, after {@code from}
 */
public record TraceFilter(String userId, String conversationId, Instant from, Instant to) {
    public TraceFilter {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        if (!to.isAfter(from)) {
            throw new IllegalArgumentException("to must be after from (" + from + "), was " + to);
        }
        if (userId == null && conversationId == null) {
            throw new IllegalArgumentException("userId or conversationId is required, both were null");
        }
    }

    /** Traces of {@code userId} in {@code [from, to)}. */
    public static TraceFilter ofUser(String userId, Instant from, Instant to) {
        return new TraceFilter(Objects.requireNonNull(userId, "userId"), null, from, to);
    }

    /** Traces of {@code conversationId} in {@code [from, to)}. */
    public static TraceFilter ofConversation(String conversationId, Instant from, Instant to) {
        return new TraceFilter(null, Objects.requireNonNull(conversationId, "conversationId"), from, to);
    }
}
