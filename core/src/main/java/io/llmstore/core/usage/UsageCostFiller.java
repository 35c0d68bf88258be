package io.llmstore.core.usage;

import io.llmstore.core.price.Cost;
import io.llmstore.core.price.PriceCatalog;
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
     * What priced a filled cost, stored as the row's {@code priceSource}; by default {@code filler}. A filler backed
     * by a catalog overrides {@link #fill} instead to name the catalog version (and override) per row.
     */
    String DEFAULT_SOURCE = "filler";

    /**
     * {@code metric} with its cost and price source filled, or {@code metric} itself when it cannot be priced. The
     * default uses {@link #costOf} and {@link #DEFAULT_SOURCE}.
     */
    default UsageMetric fill(UsageMetric metric) {
        BigDecimal cost = costOf(metric);
        return cost == null ? metric : metric.withCost(cost, DEFAULT_SOURCE);
    }

    /**
     * Prices rows from {@code catalog}: the row's full usage ({@link UsageMetric#tokenUsage()}: cache reads and cache
     * writes at their own prices, reasoning tokens as output) at the price in force at the row's time, so a filled
     * cost equals {@code PriceCatalog.cost(...).total()} of that usage. The cost is stored exactly when it has at
     * most {@value UsageMetric#COST_SCALE} decimal places (every flat per-token price of the bundled dataset gives
     * that), else rounded half-up to them. The row's price source is the catalog layer that priced it
     * ({@code <dataset>@<version>}, {@code +override:<id>} when an override applied). Null, and the row stored
     * without a cost, for a model the catalog does not price.
     */
    static UsageCostFiller fromCatalog(PriceCatalog catalog) {
        Objects.requireNonNull(catalog, "catalog");
        return new UsageCostFiller() {
            @Override
            public BigDecimal costOf(UsageMetric m) {
                Cost c = price(m);
                return c == null ? null : column(c.total());
            }

            @Override
            public UsageMetric fill(UsageMetric m) {
                Cost c = price(m);
                return c == null ? m : m.withCost(column(c.total()), c.pricedBy().source());
            }

            private Cost price(UsageMetric m) {
                return catalog.cost(m.provider(), m.modelId(), m.tokenUsage(), m.time()).orElse(null);
            }

            @Override
            public String toString() {
                return "UsageCostFiller.fromCatalog(" + catalog + ")";
            }
        };
    }

    private static BigDecimal column(BigDecimal cost) {
        return cost.scale() > UsageMetric.COST_SCALE ? cost.setScale(UsageMetric.COST_SCALE, RoundingMode.HALF_UP) : cost;
    }
}
