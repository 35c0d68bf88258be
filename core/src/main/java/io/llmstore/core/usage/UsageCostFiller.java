package io.llmstore.core.usage;

import io.llmstore.core.price.Cost;
import io.llmstore.core.price.PriceCatalog;
import io.llmstore.core.price.TokenUsage;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Objects;

/**
 * Prices a usage row that carries tokens but no cost. The seam for the price catalog: a usage writer configured
 * with one calls it for every row whose {@code costUsd} is null, before the row is stored. Must be thread-safe and
 * fast (it runs on the caller's thread, once per row).
 */
@FunctionalInterface
public interface UsageCostFiller {
    /** The cost in USD of {@code metric}, or null when it cannot be priced (the row is stored without a cost). */
    BigDecimal costOf(UsageMetric metric);

    /**
     * Prices rows from {@code catalog}: input and output tokens at the price in force at the row's time, rounded
     * half-up to the column's 6 decimal places; null for a model the catalog does not price.
     */
    static UsageCostFiller fromCatalog(PriceCatalog catalog) {
        Objects.requireNonNull(catalog, "catalog");
        return m -> catalog.cost(m.provider(), m.modelId(), TokenUsage.of(m.tokenInput(), m.tokenOutput()), m.time())
                .map(Cost::total)
                .map(total -> total.setScale(6, RoundingMode.HALF_UP))
                .orElse(null);
    }
}
