package io.llmstore.core.conversation;

import io.llmstore.core.internal.StorableText;
import java.math.BigDecimal;
import java.util.Objects;

/**
 * A message to append to a session: its role, its content (any length, any Unicode, stored verbatim; not empty), the
 * tokens it used and, when known, its cost in USD.
 *
 * @param role       who said it
 * @param content    the text, non-empty, without U+0000 or unpaired surrogates
 * @param tokensUsed tokens the message counted for, {@code >= 0}
 * @param costUsd    its cost, {@code >= 0}, or null when unknown; kept without trailing zeros
 */
public record Message(Role role, String content, int tokensUsed, BigDecimal costUsd) {
    public Message {
        Objects.requireNonNull(role, "role must not be null");
        StorableText.require("content", content, false);
        if (tokensUsed < 0) {
            throw new IllegalArgumentException("tokensUsed must be >= 0, was " + tokensUsed);
        }
        if (costUsd != null && costUsd.signum() < 0) {
            throw new IllegalArgumentException("costUsd must be >= 0, was " + costUsd);
        }
        // One form per value (0.0045 and 0.004500 are the same cost), so a message read back equals the one written.
        costUsd = costUsd == null ? null : costUsd.stripTrailingZeros();
    }

    /** A message with no token count and no cost. */
    public static Message of(Role role, String content) {
        return new Message(role, content, 0, null);
    }

    /** A user message. */
    public static Message user(String content) {
        return of(Role.USER, content);
    }

    /** An assistant message. */
    public static Message assistant(String content) {
        return of(Role.ASSISTANT, content);
    }

    /** A system message. */
    public static Message system(String content) {
        return of(Role.SYSTEM, content);
    }

    /** This message with its token count and cost. */
    public Message withUsage(int tokens, BigDecimal cost) {
        return new Message(role, content, tokens, cost);
    }
}
