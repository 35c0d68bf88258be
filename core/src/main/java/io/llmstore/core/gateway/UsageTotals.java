package io.llmstore.core.gateway;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * Sums over a key's usage records in a time range.
 *
 * @param requests         records counted
 * @param promptTokens     sum of prompt tokens
 * @param completionTokens sum of completion tokens
 * @param totalTokens      sum of total tokens
 * @param costUsd          exact sum of costs, 0 when none
 */
public record UsageTotals(long requests, long promptTokens, long completionTokens, long totalTokens,
                          BigDecimal costUsd) {
    public UsageTotals {
        Objects.requireNonNull(costUsd, "costUsd");
    }
}
