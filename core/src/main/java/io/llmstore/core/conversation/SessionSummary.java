package io.llmstore.core.conversation;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * One session of a user: how many messages it holds, the tokens and cost they sum to (messages with no cost count
 * zero), when its first and last message were stored.
 */
public record SessionSummary(String userId, String sessionId, long messages, long tokensUsed, BigDecimal costUsd,
                             Instant startedAt, Instant lastMessageAt) {
}
