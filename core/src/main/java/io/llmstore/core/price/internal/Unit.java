package io.llmstore.core.price.internal;

import java.math.BigDecimal;
import java.util.Map;

/**
 * One usage unit of the dataset (for example {@code cache_read_tokens}, priced by
 * {@code cache_read_mtok} per million). A unit's dimensions place it in a lattice: a unit whose
 * dimensions are a subset of another's is its ancestor and its reported count includes the
 * descendant's count ({@code input_tokens} includes {@code cache_read_tokens}).
 *
 * @param index position in {@link UnitTable#units()}
 * @param usageKey the usage field name, e.g. {@code input_tokens}
 * @param priceKey the price field name, e.g. {@code input_mtok}
 * @param per how many usage units one price applies to (1,000,000 for {@code _mtok})
 * @param dimensions the unit's dimensions (direction, family, modality, token_type, ...)
 * @param bucket where the unit's cost is reported in a {@code Cost}
 */
public record Unit(int index, String usageKey, String priceKey, BigDecimal per,
                   Map<String, String> dimensions, Bucket bucket) {

    /** Cost buckets of a {@code Cost} breakdown. */
    public enum Bucket { INPUT, CACHE_READ, CACHE_WRITE, OUTPUT, REASONING, AUDIO, OTHER }

    /** True if this unit's dimensions are a subset of {@code other}'s: its count includes other's. */
    public boolean isAncestorOrSelfOf(Unit other) {
        for (Map.Entry<String, String> e : dimensions.entrySet()) {
            if (!e.getValue().equals(other.dimensions.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** True if no dimension has different values in the two units (they can overlap). */
    public boolean isCompatibleWith(Unit other) {
        for (Map.Entry<String, String> e : dimensions.entrySet()) {
            String o = other.dimensions.get(e.getKey());
            if (o != null && !o.equals(e.getValue())) {
                return false;
            }
        }
        return true;
    }

    /** "input", "output" or null. */
    public String direction() {
        return dimensions.get("direction");
    }

    static Bucket bucketOf(Map<String, String> d) {
        String tokenType = d.get("token_type");
        if ("cache_read".equals(tokenType)) {
            return Bucket.CACHE_READ;
        }
        if ("cache_write".equals(tokenType)) {
            return Bucket.CACHE_WRITE;
        }
        if ("reasoning".equals(tokenType)) {
            return Bucket.REASONING;
        }
        if ("audio".equals(d.get("modality"))) {
            return Bucket.AUDIO;
        }
        String direction = d.get("direction");
        if ("input".equals(direction)) {
            return Bucket.INPUT;
        }
        if ("output".equals(direction)) {
            return Bucket.OUTPUT;
        }
        return Bucket.OTHER;
    }
}
