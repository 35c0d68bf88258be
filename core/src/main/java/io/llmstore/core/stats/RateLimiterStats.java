package io.llmstore.core.stats;

/**
 * Counters of the rate limiters' backend failures since the pool opened (each logged at WARN at most every 10 s).
 *
 * @param decisionErrors   decisions the backend could not make in time, so the {@code FailurePolicy} decided
 * @param settlementErrors settlements and releases the backend could not apply (dropped: the counters may be off by
 *                         their deltas until the window ends)
 */
public record RateLimiterStats(long decisionErrors, long settlementErrors) {
    public RateLimiterStats {
        if (decisionErrors < 0 || settlementErrors < 0) {
            throw new IllegalArgumentException("counters must be >= 0, were " + decisionErrors + " and " + settlementErrors);
        }
    }
}
