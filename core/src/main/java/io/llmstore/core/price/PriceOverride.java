package io.llmstore.core.price;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A flat price for one model that wins over the catalog (a negotiated price, or a model the
 * dataset lacks), optionally only within a time window. Prices are keyed by the dataset's price
 * keys and quoted per the unit's size: {@code input_mtok}, {@code output_mtok},
 * {@code cache_read_mtok}, {@code cache_write_mtok} in USD per million tokens,
 * {@code web_searches_kcount} per thousand, and so on. As in the dataset, a more specific unit
 * needs its ancestors priced (a cache read price needs an input price).
 *
 * <p><b>Which ids it applies to.</b> By default the override follows the catalog model its
 * provider and model resolve to: every id that resolves to the same catalog model gets it — its
 * aliases and dated snapshots ({@code gpt-4o-2024-08-06}), a provider prefix, and providers that
 * serve it as a fallback (Azure serving OpenAI's {@code gpt-4o}). If the catalog does not know
 * the model, or {@link #pinExactId()} was called, it applies to that literal id only
 * (case-insensitive), at the named provider or any.
 *
 * <p><b>When it applies.</b> {@link #effective(Instant, Instant)} limits it to calls made in
 * {@code [from, until)}; outside that window the call is priced by the next override or by the
 * catalog's own dated schedule, so every call is priced by what was in force at its timestamp.
 * For tiered private prices, load your own file with {@link PriceCatalog#fromJson} and layer it
 * with {@link PriceCatalog#withCatalog}.
 *
 * @param id names the override in {@link PricedBy#source()} ({@code <dataset>+override:<id>})
 * @param provider the provider id it applies to (case-insensitive), or null for any provider
 * @param model the model id it applies to, resolved through the catalog unless {@code exactModelId}
 * @param prices USD price by price key, each >= 0; at least one
 * @param effectiveFrom first instant it applies to (inclusive), or null for always before
 * @param effectiveUntil instant it stops applying (exclusive), or null for open-ended
 * @param exactModelId true to match only the literal model id, not the catalog model it resolves to
 */
public record PriceOverride(String id, String provider, String model, Map<String, BigDecimal> prices,
                            Instant effectiveFrom, Instant effectiveUntil, boolean exactModelId) {

    /**
     * Checks the fields; copies {@code prices}.
     *
     * @throws IllegalArgumentException naming the argument that is null, blank, negative or out of order
     */
    public PriceOverride {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("id must not be blank, was " + (id == null ? "null" : "'" + id + "'"));
        }
        if (provider != null && provider.isBlank()) {
            throw new IllegalArgumentException("provider must be null (any provider) or not blank, was '" + provider + "'");
        }
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("model must not be blank, was " + (model == null ? "null" : "'" + model + "'"));
        }
        if (prices == null || prices.isEmpty()) {
            throw new IllegalArgumentException("prices must name at least one price, was " + prices);
        }
        for (Map.Entry<String, BigDecimal> e : prices.entrySet()) {
            if (e.getKey() == null) {
                throw new IllegalArgumentException("prices must not hold a null price key, was " + prices);
            }
            if (e.getValue() == null || e.getValue().signum() < 0) {
                throw new IllegalArgumentException("prices[" + e.getKey() + "] must be >= 0, was "
                        + (e.getValue() == null ? "null" : e.getValue().toPlainString()));
            }
        }
        if (effectiveFrom != null && effectiveUntil != null && !effectiveFrom.isBefore(effectiveUntil)) {
            throw new IllegalArgumentException("effectiveFrom must be before effectiveUntil, was " + effectiveFrom
                    + " .. " + effectiveUntil);
        }
        prices = Map.copyOf(prices);
    }

    /** An override of every time, following the catalog model; see {@link #effective} and {@link #pinExactId}. */
    public PriceOverride(String id, String provider, String model, Map<String, BigDecimal> prices) {
        this(id, provider, model, prices, null, null, false);
    }

    /**
     * An override with input and output prices in USD per million tokens.
     *
     * @throws IllegalArgumentException naming {@code inputPerMillion} or {@code outputPerMillion} if null or negative
     */
    public static PriceOverride perMillionTokens(String id, String provider, String model,
                                                 BigDecimal inputPerMillion, BigDecimal outputPerMillion) {
        requirePrice("inputPerMillion", inputPerMillion);
        requirePrice("outputPerMillion", outputPerMillion);
        return new PriceOverride(id, provider, model, Map.of("input_mtok", inputPerMillion, "output_mtok", outputPerMillion));
    }

    private static void requirePrice(String name, BigDecimal v) {
        if (v == null || v.signum() < 0) {
            throw new IllegalArgumentException(name + " must be >= 0, was " + (v == null ? "null" : v.toPlainString()));
        }
    }

    /** A copy with one more price, e.g. {@code with("cache_read_mtok", new BigDecimal("0.30"))}. */
    public PriceOverride with(String priceKey, BigDecimal price) {
        if (priceKey == null) {
            throw new IllegalArgumentException("priceKey must not be null");
        }
        requirePrice("price", price);
        Map<String, BigDecimal> copy = new LinkedHashMap<>(prices);
        copy.put(priceKey, price);
        return new PriceOverride(id, provider, model, copy, effectiveFrom, effectiveUntil, exactModelId);
    }

    /**
     * A copy in force only for calls made in {@code [from, until)}; either bound may be null (open).
     *
     * @throws IllegalArgumentException if {@code from} is not before {@code until}
     */
    public PriceOverride effective(Instant from, Instant until) {
        return new PriceOverride(id, provider, model, prices, from, until, exactModelId);
    }

    /** A copy that applies to the literal model id only, not to the other ids of its catalog model. */
    public PriceOverride pinExactId() {
        return new PriceOverride(id, provider, model, prices, effectiveFrom, effectiveUntil, true);
    }

    /** True if the literal ids match: same model id (case-insensitive), and the provider if it names one. */
    boolean matchesLiterally(String requestedProvider, String requestedModel) {
        if (!model.trim().toLowerCase(Locale.ROOT).equals(requestedModel)) {
            return false;
        }
        return provider == null || requestedProvider == null
                || provider.trim().equalsIgnoreCase(requestedProvider.trim());
    }
}
