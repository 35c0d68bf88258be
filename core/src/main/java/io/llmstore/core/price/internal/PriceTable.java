package io.llmstore.core.price.internal;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One set of prices (the dataset's {@code ModelPrice}), compiled for repeated use: priced units
 * sorted most specific first, each with the indices of its priced descendants, and every price
 * pre-divided by its unit's {@code per}, so a cost is a few multiplications and additions.
 *
 * <p>Semantics follow {@code calcPrice} of {@code @pydantic/genai-prices}: a reported count
 * includes the counts of its descendant units (input tokens include cache reads), so each priced
 * unit is charged for its count minus what its priced descendants already charged; a tiered price
 * picks the last tier whose {@code start} is strictly below the request's total input tokens and
 * applies it to the whole count; {@code requests} is charged once per call.
 */
public final class PriceTable {

    /** Price of one usage unit: flat, or base and ascending tiers keyed by total input tokens. */
    record UnitPrice(Unit unit, BigDecimal perUnit, long[] tierStarts, BigDecimal[] tierPerUnit) {
        boolean tiered() {
            return tierStarts != null;
        }

        BigDecimal perUnitAt(long inputTokens) {
            if (tierStarts == null) {
                return perUnit;
            }
            BigDecimal p = perUnit;
            for (int i = 0; i < tierStarts.length; i++) {
                if (inputTokens > tierStarts[i]) {
                    p = tierPerUnit[i];
                }
            }
            return p;
        }
    }

    private static final MathContext PRECISION = MathContext.DECIMAL128;

    private final Map<String, PriceValue> source;
    private final UnitPrice[] ordered;       // reported units, most dimensions first
    private final int[][] descendants;       // indices into ordered
    private final UnitPrice requests;        // charged once per call, or null
    private final boolean anyTiered;
    private final String invalid;            // why this table cannot price, or null

    private PriceTable(Map<String, PriceValue> source, UnitPrice[] ordered, int[][] descendants,
                       UnitPrice requests, boolean anyTiered, String invalid) {
        this.source = source;
        this.ordered = ordered;
        this.descendants = descendants;
        this.requests = requests;
        this.anyTiered = anyTiered;
        this.invalid = invalid;
    }

    /**
     * Compiles a price map. Unknown price keys are ignored (the reference warns and ignores
     * them); a map that prices a unit without its ancestors or overlapping units without their
     * join is kept but refuses to price, as the reference does.
     */
    public static PriceTable compile(Map<String, PriceValue> prices, UnitTable units) {
        List<UnitPrice> list = new ArrayList<>();
        UnitPrice requests = null;
        Set<String> pricedKeys = new HashSet<>();
        for (Map.Entry<String, PriceValue> e : prices.entrySet()) {
            Unit unit = units.byPriceKey(e.getKey());
            if (unit == null) {
                continue;
            }
            pricedKeys.add(unit.priceKey());
            UnitPrice up = toUnitPrice(unit, e.getValue());
            if (UnitTable.REQUESTS.equals(unit.usageKey())) {
                requests = up;
            } else {
                list.add(up);
            }
        }
        String invalid = validate(list, requests, pricedKeys, units);
        list.sort(Comparator.<UnitPrice>comparingInt(u -> -u.unit().dimensions().size())
                .thenComparing(u -> u.unit().usageKey()));
        UnitPrice[] ordered = list.toArray(new UnitPrice[0]);
        int[][] desc = new int[ordered.length][];
        for (int i = 0; i < ordered.length; i++) {
            List<Integer> d = new ArrayList<>();
            for (int j = 0; j < ordered.length; j++) {
                if (j != i && ordered[i].unit().isAncestorOrSelfOf(ordered[j].unit())) {
                    d.add(j);
                }
            }
            desc[i] = d.stream().mapToInt(Integer::intValue).toArray();
        }
        boolean anyTiered = list.stream().anyMatch(UnitPrice::tiered) || (requests != null && requests.tiered());
        return new PriceTable(Map.copyOf(prices), ordered, desc, requests, anyTiered, invalid);
    }

    private static String validate(List<UnitPrice> list, UnitPrice requests, Set<String> pricedKeys,
                                   UnitTable units) {
        List<Unit> priced = new ArrayList<>();
        list.forEach(u -> priced.add(u.unit()));
        if (requests != null) {
            priced.add(requests.unit());
        }
        for (Unit u : priced) {
            for (Unit a : units.units()) {
                if (a != u && a.isAncestorOrSelfOf(u) && !pricedKeys.contains(a.priceKey())) {
                    return "Missing ancestor price key " + a.priceKey() + " for " + u.priceKey();
                }
            }
        }
        for (int i = 0; i < priced.size(); i++) {
            for (int j = i + 1; j < priced.size(); j++) {
                Unit a = priced.get(i);
                Unit b = priced.get(j);
                if (!a.isCompatibleWith(b)) {
                    continue;
                }
                Unit join = units.join(a, b);
                if (join == null) {
                    return "Missing registered join unit for " + a.priceKey() + " and " + b.priceKey();
                }
                if (!pricedKeys.contains(join.priceKey())) {
                    return "Missing join price key " + join.priceKey() + " for " + a.priceKey() + " and " + b.priceKey();
                }
            }
        }
        return null;
    }

    private static UnitPrice toUnitPrice(Unit unit, PriceValue value) {
        BigDecimal base = perUnit(value.base(), unit.per());
        if (value.tierStarts().length == 0) {
            return new UnitPrice(unit, base, null, null);
        }
        BigDecimal[] tierPrices = new BigDecimal[value.tierPrices().length];
        for (int i = 0; i < tierPrices.length; i++) {
            tierPrices[i] = perUnit(value.tierPrices()[i], unit.per());
        }
        return new UnitPrice(unit, base, value.tierStarts(), tierPrices);
    }

    // Prices per million (or thousand, or billion) divide exactly; only per-hour prices of
    // duration units (per = 3600) are rounded, to 34 significant digits.
    private static BigDecimal perUnit(BigDecimal price, BigDecimal per) {
        return price.divide(per, PRECISION);
    }

    /** Why this table cannot price (missing ancestor or join price), or null if it can. */
    public String problem() {
        return invalid;
    }

    /** The prices this table was compiled from, keyed by price key. */
    public Map<String, PriceValue> prices() {
        return source;
    }

    /**
     * Computes the cost. {@code counts} holds the reported count for each unit index of the
     * {@link UnitTable}; {@code totalInputTokens} selects tiers. {@code out} receives the cost per
     * bucket (indexed by {@link Unit.Bucket#ordinal()}) plus input total, output total and total in
     * its last three slots.
     *
     * @throws IllegalArgumentException if a more specific count exceeds the count that includes it
     * @throws IllegalStateException if the price table is inconsistent
     */
    public void cost(UsageCounts counts, BigDecimal[] out) {
        if (invalid != null) {
            throw new IllegalStateException(invalid);
        }
        int n = ordered.length;
        long[] leaf = new long[n];
        long inputTokens = anyTiered ? counts.inputTokens() : 0;
        for (int i = 0; i < n; i++) {
            UnitPrice up = ordered[i];
            long reported = counts.count(up.unit());
            long sum = 0;
            for (int d : descendants[i]) {
                sum += leaf[d];
            }
            long r = reported - sum;
            if (r < 0) {
                throw new IllegalArgumentException(overflowMessage(i, counts));
            }
            leaf[i] = r;
        }
        BigDecimal zero = BigDecimal.ZERO;
        BigDecimal[] buckets = out;
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = zero;
        }
        int inputSlot = Unit.Bucket.values().length;
        for (int i = 0; i < n; i++) {
            if (leaf[i] == 0) {
                continue;
            }
            UnitPrice up = ordered[i];
            add(out, up, up.perUnitAt(inputTokens).multiply(BigDecimal.valueOf(leaf[i])), inputSlot);
        }
        if (requests != null) {
            add(out, requests, requests.perUnitAt(inputTokens), inputSlot);
        }
    }

    private static void add(BigDecimal[] out, UnitPrice up, BigDecimal c, int inputSlot) {
        int b = up.unit().bucket().ordinal();
        out[b] = out[b].add(c);
        String direction = up.unit().direction();
        if ("input".equals(direction)) {
            out[inputSlot] = out[inputSlot].add(c);
        } else if ("output".equals(direction)) {
            out[inputSlot + 1] = out[inputSlot + 1].add(c);
        }
        out[inputSlot + 2] = out[inputSlot + 2].add(c);
    }

    private String overflowMessage(int i, UsageCounts counts) {
        Unit unit = ordered[i].unit();
        long total = counts.count(unit);
        for (int d : descendants[i]) {
            Unit du = ordered[d].unit();
            long v = counts.count(du);
            if (v > total) {
                return counts.nameOf(du) + " (" + v + ") cannot exceed " + counts.nameOf(unit) + " (" + total + ")";
            }
        }
        StringBuilder names = new StringBuilder();
        for (int d : descendants[i]) {
            if (counts.count(ordered[d].unit()) > 0) {
                names.append(names.length() == 0 ? "" : ", ").append(counts.nameOf(ordered[d].unit()));
            }
        }
        return "more specific usage (" + names + ") exceeds " + counts.nameOf(unit) + " (" + total + ")";
    }

    /** Reported usage counts, by unit. */
    public interface UsageCounts {
        /** The reported count of a unit (0 if not reported). */
        long count(Unit unit);

        /** Total input tokens, used to pick price tiers. */
        long inputTokens();

        /** The caller-facing name of a unit's count, for error messages. */
        String nameOf(Unit unit);
    }
}
