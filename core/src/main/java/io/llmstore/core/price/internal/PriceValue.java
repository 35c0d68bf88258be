package io.llmstore.core.price.internal;

import java.math.BigDecimal;
import java.util.Arrays;

/**
 * A price as written in the catalog, per the unit's {@code per} (for example USD per million
 * tokens): a flat price ({@code tierStarts} empty) or a base price with tiers sorted by start.
 *
 * @param base the flat or base price, >= 0
 * @param tierStarts tier thresholds in input tokens, ascending (empty for a flat price)
 * @param tierPrices the price of each tier
 */
public record PriceValue(BigDecimal base, long[] tierStarts, BigDecimal[] tierPrices) {

    private static final long[] NO_STARTS = new long[0];
    private static final BigDecimal[] NO_PRICES = new BigDecimal[0];

    public PriceValue {
        if (base == null || base.signum() < 0) {
            throw new IllegalArgumentException("price must be >= 0, was " + base);
        }
        tierStarts = tierStarts.clone();
        tierPrices = tierPrices.clone();
        if (tierStarts.length != tierPrices.length) {
            throw new IllegalArgumentException("tier starts and prices differ in length");
        }
        for (int i = 0; i < tierStarts.length; i++) {
            if (tierStarts[i] < 0) {
                throw new IllegalArgumentException("tier start must be >= 0, was " + tierStarts[i]);
            }
            if (tierPrices[i] == null || tierPrices[i].signum() < 0) {
                throw new IllegalArgumentException("tier price must be >= 0, was " + tierPrices[i]);
            }
            if (i > 0 && tierStarts[i] < tierStarts[i - 1]) {
                throw new IllegalArgumentException("tiers must be sorted by start, were " + Arrays.toString(tierStarts));
            }
        }
    }

    /** A flat price. */
    public static PriceValue flat(BigDecimal price) {
        return new PriceValue(price, NO_STARTS, NO_PRICES);
    }

    @Override
    public long[] tierStarts() {
        return tierStarts.clone();
    }

    @Override
    public BigDecimal[] tierPrices() {
        return tierPrices.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PriceValue p && base.compareTo(p.base) == 0
                && Arrays.equals(tierStarts, p.tierStarts) && Arrays.equals(tierPrices, p.tierPrices);
    }

    @Override
    public int hashCode() {
        return base.stripTrailingZeros().hashCode() * 31 + Arrays.hashCode(tierStarts);
    }

    @Override
    public String toString() {
        if (tierStarts.length == 0) {
            return base.toPlainString();
        }
        StringBuilder sb = new StringBuilder("{base=").append(base.toPlainString());
        for (int i = 0; i < tierStarts.length; i++) {
            sb.append(", >").append(tierStarts[i]).append('=').append(tierPrices[i].toPlainString());
        }
        return sb.append('}').toString();
    }
}
