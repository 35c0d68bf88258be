package io.llmstore.core.gateway;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A price stored in the database for one model, in force over {@code [effectiveFrom, effectiveUntil)}; it wins over
 * the bundled catalog there (see {@link io.llmstore.core.price.PriceOverride}, whose price keys it uses:
 * {@code input_mtok}, {@code output_mtok}, {@code cache_read_mtok}, {@code cache_write_mtok}, ... in USD per unit).
 *
 * @param id             database id
 * @param modelId        the model it prices
 * @param prices         USD by price key, each >= 0
 * @param effectiveFrom  inclusive, null = always before
 * @param effectiveUntil exclusive, null = open-ended
 */
public record ModelPrice(long id, long modelId, Map<String, BigDecimal> prices, Instant effectiveFrom,
                         Instant effectiveUntil) {
    public ModelPrice {
        prices = Map.copyOf(Objects.requireNonNull(prices, "prices"));
    }
}
