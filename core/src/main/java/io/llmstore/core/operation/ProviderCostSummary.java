package io.llmstore.core.operation;

import java.math.BigDecimal;

/**
 * One line of the cost analysis by provider.
 *
 * @param provider          the provider
 * @param totalCost         the exact sum of the operations' costs in USD (unpriced operations count 0)
 * @param requestCount      how many operations
 * @param averageLatencyMs  the mean of the latencies that were given, or null when none was
 */
public record ProviderCostSummary(String provider, BigDecimal totalCost, long requestCount, Double averageLatencyMs) {
}
