package io.llmstore.core.price;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A flat price for one model that wins over the catalog (a negotiated price, or a model the
 * dataset lacks). Prices are keyed by the dataset's price keys and quoted per the unit's size:
 * {@code input_mtok}, {@code output_mtok}, {@code cache_read_mtok}, {@code cache_write_mtok} in USD
 * per million tokens, {@code web_searches_kcount} per thousand, and so on. As in the dataset, a
 * more specific unit needs its ancestors priced (a cache read price needs an input price).
 * For tiered or dated private prices, load your own file with {@link PriceCatalog#fromJson}.
 *
 * @param id names the override in {@link PricedBy#source()} as {@code override:<id>}
 * @param provider the provider id it applies to (case-insensitive), or null for any provider
 * @param model the model id it applies to (exact, case-insensitive)
 * @param prices USD price by price key, each >= 0; at least one
 */
public record PriceOverride(String id, String provider, String model, Map<String, BigDecimal> prices) {

    /** Checks the fields; copies {@code prices}. */
    public PriceOverride {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("id must not be blank, was " + id);
        }
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("model must not be blank, was " + model);
        }
        if (prices == null || prices.isEmpty()) {
            throw new IllegalArgumentException("prices must name at least one price, was " + prices);
        }
        for (Map.Entry<String, BigDecimal> e : prices.entrySet()) {
            if (e.getValue() == null || e.getValue().signum() < 0) {
                throw new IllegalArgumentException("prices[" + e.getKey() + "] must be >= 0, was " + e.getValue());
            }
        }
        prices = Map.copyOf(prices);
    }

    /** An override with input and output prices in USD per million tokens. */
    public static PriceOverride perMillionTokens(String id, String provider, String model,
                                                 BigDecimal inputPerMillion, BigDecimal outputPerMillion) {
        return new PriceOverride(id, provider, model, Map.of("input_mtok", inputPerMillion, "output_mtok", outputPerMillion));
    }

    /** A copy with one more price, e.g. {@code with("cache_read_mtok", new BigDecimal("0.30"))}. */
    public PriceOverride with(String priceKey, BigDecimal price) {
        Map<String, BigDecimal> copy = new LinkedHashMap<>(prices);
        copy.put(priceKey, price);
        return new PriceOverride(id, provider, model, copy);
    }

    boolean appliesTo(String requestedProvider, String requestedModel) {
        if (!model.trim().toLowerCase(Locale.ROOT).equals(requestedModel)) {
            return false;
        }
        return provider == null || requestedProvider == null
                || provider.trim().equalsIgnoreCase(requestedProvider.trim());
    }
}
