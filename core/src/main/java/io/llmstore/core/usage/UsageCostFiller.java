package io.llmstore.core.usage;

import java.math.BigDecimal;

/**
 * Prices a usage row that carries tokens but no cost. The seam for the price catalog: a usage writer configured
 * with one calls it for every row whose {@code costUsd} is null, before the row is stored. Must be thread-safe and
 * fast (it runs on the caller's thread, once per row).
 */
@FunctionalInterface
public interface UsageCostFiller {
    /** The cost in USD of {@code metric}, or null when it cannot be priced (the row is stored without a cost). */
    BigDecimal costOf(UsageMetric metric);
}
