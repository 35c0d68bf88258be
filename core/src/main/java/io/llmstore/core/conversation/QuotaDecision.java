package io.llmstore.core.conversation;

/**
 * The answer of {@link UserProfiles#tryConsume}: whether the tokens were consumed, and the user's consumption and
 * quota after the call. A denial consumes nothing.
 *
 * @param allowed    true when the tokens were added to {@code used}
 * @param used       tokens consumed, after this call
 * @param quota      the user's quota; null = no quota (always allowed)
 */
public record QuotaDecision(boolean allowed, long used, Long quota) {
    /** Tokens still available; {@link Long#MAX_VALUE} without a quota. */
    public long remaining() {
        return quota == null ? Long.MAX_VALUE : Math.max(0, quota - used);
    }
}
