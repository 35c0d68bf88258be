package io.llmstore.core.price.internal;

import io.llmstore.core.price.TokenUsage;
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

    /**
     * A price per single unit. When the catalog price divides exactly by the unit's {@code per}
     * (per million, per thousand), the quotient is kept, with its unscaled value as a long when
     * it fits, so that {@link #times} can multiply without allocating a BigDecimal for the count.
     * When it does not (a per-hour price of seconds: per = 3600), the price and divisor are kept
     * and the division comes last, so the result is exact whenever the exact cost is a finite
     * decimal (12 s at $3/h is $0.01, not $0.00999...96).
     */
    record Rate(BigDecimal perUnit, long unscaled, BigDecimal price, BigDecimal per) {
        static Rate of(BigDecimal price, BigDecimal per) {
            try {
                BigDecimal perUnit = price.divide(per);
                return new Rate(perUnit, perUnit.unscaledValue().bitLength() < 63 ? perUnit.unscaledValue().longValue() : -1,
                        null, null);
            } catch (ArithmeticException nonTerminating) {
                return new Rate(null, -1, price, per);
            }
        }

        /** {@code price * count / per}: exact, or to 34 significant digits if the quotient does not terminate. */
        BigDecimal times(long count) {
            if (perUnit == null) {
                return divide(price.multiply(BigDecimal.valueOf(count)));
            }
            // Prices and counts are >= 0: the long product is exact when the high word is 0 and
            // the low word has no sign bit; otherwise let BigDecimal widen it.
            if (unscaled >= 0 && Math.multiplyHigh(unscaled, count) == 0 && unscaled * count >= 0) {
                return BigDecimal.valueOf(unscaled * count, perUnit.scale());
            }
            return perUnit.multiply(BigDecimal.valueOf(count));
        }

        /** {@code unscaled * count} at {@code perUnit().scale()}, or -1 when it needs BigDecimal arithmetic. */
        long timesCompact(long count) {
            if (unscaled >= 0 && Math.multiplyHigh(unscaled, count) == 0 && unscaled * count >= 0) {
                return unscaled * count;
            }
            return -1;
        }

        /** As {@link #times(long)} for a fractional count (seconds of audio). */
        BigDecimal times(BigDecimal count) {
            return perUnit != null ? perUnit.multiply(count) : divide(price.multiply(count));
        }

        /** The price of one unit (charged once per request). */
        BigDecimal one() {
            return times(1);
        }

        private BigDecimal divide(BigDecimal amount) {
            try {
                return amount.divide(per);
            } catch (ArithmeticException nonTerminating) {
                return amount.divide(per, PRECISION);
            }
        }
    }

    /** Price of one usage unit: flat, or base and ascending tiers keyed by total input tokens. */
    record UnitPrice(Unit unit, Rate base, long[] tierStarts, Rate[] tiers) {
        boolean tiered() {
            return tierStarts != null;
        }

        Rate rateAt(long inputTokens) {
            if (tierStarts == null) {
                return base;
            }
            Rate p = base;
            for (int i = 0; i < tierStarts.length; i++) {
                if (inputTokens > tierStarts[i]) {
                    p = tiers[i];
                }
            }
            return p;
        }
    }

    /** Slots of the {@code out} array of {@link #cost}: one per bucket, then input, output and total. */
    public static final int SLOTS = Unit.Bucket.values().length + 3;

    private static final int INPUT_TOTAL = Unit.Bucket.values().length;
    private static final int OUTPUT_TOTAL = INPUT_TOTAL + 1;
    private static final int TOTAL = INPUT_TOTAL + 2;
    private static final int NO_SIDE = -1;

    private static final MathContext PRECISION = MathContext.DECIMAL128;

    private final Map<String, PriceValue> source;
    private final UnitPrice[] ordered;       // reported units, most dimensions first
    private final int[][] descendants;       // indices into ordered
    // Per ordered unit, resolved once here rather than per call from the unit's strings:
    private final int[] field;               // UsageField of the unit's count
    private final int[] bucket;              // Unit.Bucket ordinal
    private final int[] side;                // INPUT_TOTAL, OUTPUT_TOTAL or NO_SIDE
    private final UnitPrice requests;        // charged once per call, or null
    private final boolean anyTiered;
    private final String invalid;            // why this table cannot price, or null

    private PriceTable(Map<String, PriceValue> source, UnitPrice[] ordered, int[][] descendants,
                       UnitPrice requests, boolean anyTiered, String invalid) {
        this.source = source;
        this.ordered = ordered;
        this.descendants = descendants;
        int n = ordered.length;
        this.field = new int[n];
        this.bucket = new int[n];
        this.side = new int[n];
        for (int i = 0; i < n; i++) {
            field[i] = UsageField.of(ordered[i].unit().usageKey());
            bucket[i] = ordered[i].unit().bucket().ordinal();
            side[i] = sideOf(ordered[i].unit());
        }
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

    private static int sideOf(Unit unit) {
        String direction = unit.direction();
        return "input".equals(direction) ? INPUT_TOTAL : "output".equals(direction) ? OUTPUT_TOTAL : NO_SIDE;
    }

    private static UnitPrice toUnitPrice(Unit unit, PriceValue value) {
        Rate base = Rate.of(value.base(), unit.per());
        if (value.tierStarts().length == 0) {
            return new UnitPrice(unit, base, null, null);
        }
        Rate[] tierPrices = new Rate[value.tierPrices().length];
        for (int i = 0; i < tierPrices.length; i++) {
            tierPrices[i] = Rate.of(value.tierPrices()[i], unit.per());
        }
        return new UnitPrice(unit, base, value.tierStarts(), tierPrices);
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
     * Computes the cost. {@code out} (length {@link #SLOTS}) receives the cost per bucket (indexed
     * by {@link Unit.Bucket#ordinal()}) plus input total, output total and total in its last three
     * slots; a slot nothing was charged to is {@link BigDecimal#ZERO}. Each slot is the exact sum of
     * its charges in shortest form: no trailing zeros, scale >= 0 ({@code 0.0075}, {@code 10}).
     *
     * @throws IllegalArgumentException if a more specific count exceeds the count that includes it
     * @throws IllegalStateException if the price table is inconsistent
     */
    public void cost(TokenUsage usage, BigDecimal[] out) {
        if (invalid != null) {
            throw new IllegalStateException(invalid);
        }
        int n = ordered.length;
        long[] leaf = new long[n];
        // Fractional counts (seconds of audio) are rare: their leaves live in a second array,
        // allocated only when one occurs, so whole counts keep the allocation-free long path.
        BigDecimal[] fraction = null;
        for (int i = 0; i < n; i++) {
            BigDecimal decimal = field[i] == UsageField.OTHER ? usage.otherUnits().get(ordered[i].unit().usageKey()) : null;
            boolean whole = decimal == null || isWholeLong(decimal);
            long sum = 0;
            BigDecimal decimalSum = null;
            for (int d : descendants[i]) {
                if (fraction != null && fraction[d] != null) {
                    decimalSum = decimalSum == null ? fraction[d] : decimalSum.add(fraction[d]);
                } else {
                    sum += leaf[d];
                }
            }
            if (whole && decimalSum == null) {
                long reported = decimal != null ? decimal.longValueExact() : UsageField.count(usage, field[i], ordered[i].unit().usageKey());
                long r = reported - sum;
                if (r < 0) {
                    throw new IllegalArgumentException(overflowMessage(i, usage));
                }
                leaf[i] = r;
            } else {
                BigDecimal reported = decimal != null ? decimal : BigDecimal.valueOf(UsageField.count(usage, field[i], ordered[i].unit().usageKey()));
                BigDecimal r = reported.subtract(BigDecimal.valueOf(sum));
                if (decimalSum != null) {
                    r = r.subtract(decimalSum);
                }
                if (r.signum() < 0) {
                    throw new IllegalArgumentException(overflowMessage(i, usage));
                }
                if (fraction == null) {
                    fraction = new BigDecimal[n];
                }
                fraction[i] = r;
            }
        }
        Sums sums = new Sums();
        long inputTokens = anyTiered ? usage.inputTokens() : 0;
        for (int i = 0; i < n; i++) {
            if (fraction != null && fraction[i] != null) {
                if (fraction[i].signum() != 0) {
                    sums.charge(bucket[i], side[i], ordered[i].rateAt(inputTokens).times(fraction[i]));
                }
            } else if (leaf[i] != 0) {   // most calls use a few of a model's units; unused ones cost nothing
                Rate rate = ordered[i].rateAt(inputTokens);
                long product = rate.timesCompact(leaf[i]);
                if (product >= 0) {
                    sums.charge(bucket[i], side[i], product, rate.perUnit().scale());
                } else {
                    sums.charge(bucket[i], side[i], rate.times(leaf[i]));
                }
            }
        }
        if (requests != null) {
            sums.charge(requests.unit().bucket().ordinal(), sideOf(requests.unit()), requests.rateAt(inputTokens).one());
        }
        // The total so far holds the charges of units with no side; adding the two side totals
        // once is cheaper than adding every charge to the total as well.
        sums.addSlot(TOTAL, INPUT_TOTAL);
        sums.addSlot(TOTAL, OUTPUT_TOTAL);
        sums.result(out);
    }

    private static final long[] POW10 = {1L, 10L, 100L, 1_000L, 10_000L, 100_000L, 1_000_000L, 10_000_000L,
        100_000_000L, 1_000_000_000L, 10_000_000_000L, 100_000_000_000L, 1_000_000_000_000L, 10_000_000_000_000L,
        100_000_000_000_000L, 1_000_000_000_000_000L, 1_000_000_000_000_000_000L};

    /**
     * The slots of one cost, summed exactly as (unscaled long, scale) pairs while they fit, else as BigDecimal, and
     * handed out in shortest form (no trailing zeros, scale >= 0). Stripping zeros from a long here costs a few
     * multiplications; {@code BigDecimal.stripTrailingZeros} on every slot of every call cost ~40% of the
     * throughput (measured with PriceCatalogBenchmark's calls).
     */
    private static final class Sums {
        private final long[] unscaled = new long[SLOTS];
        private final int[] scale = new int[SLOTS];
        private final boolean[] used = new boolean[SLOTS];
        private BigDecimal[] big;   // a slot that left long arithmetic, or null

        void charge(int bucket, int side, long value, int valueScale) {
            add(bucket, value, valueScale);
            add(side != NO_SIDE ? side : TOTAL, value, valueScale);   // unsided charges go straight to the total
        }

        void charge(int bucket, int side, BigDecimal value) {
            add(bucket, value);
            add(side != NO_SIDE ? side : TOTAL, value);
        }

        void addSlot(int to, int from) {
            if (big != null && big[from] != null) {
                add(to, big[from]);
            } else if (used[from]) {
                add(to, unscaled[from], scale[from]);
            }
        }

        private void add(int slot, long value, int valueScale) {
            if (valueScale < 0) {
                add(slot, BigDecimal.valueOf(value, valueScale));
                return;
            }
            if (big != null && big[slot] != null) {
                big[slot] = big[slot].add(BigDecimal.valueOf(value, valueScale));
                return;
            }
            if (!used[slot]) {
                unscaled[slot] = value;
                scale[slot] = valueScale;
                used[slot] = true;
                return;
            }
            int s = Math.max(scale[slot], valueScale);
            long a = raise(unscaled[slot], s - scale[slot]);
            long b = raise(value, s - valueScale);
            long sum = a + b;
            if (a < 0 || b < 0 || sum < 0) {   // a raise or the sum overflowed (every value is >= 0)
                add(slot, BigDecimal.valueOf(value, valueScale));
                return;
            }
            unscaled[slot] = sum;
            scale[slot] = s;
        }

        private void add(int slot, BigDecimal value) {
            BigDecimal current = toBig(slot);
            big[slot] = current.add(value);
        }

        // Moves a slot to BigDecimal and returns its current value (ZERO when unused).
        private BigDecimal toBig(int slot) {
            if (big == null) {
                big = new BigDecimal[SLOTS];
            }
            if (big[slot] == null) {
                big[slot] = used[slot] ? BigDecimal.valueOf(unscaled[slot], scale[slot]) : BigDecimal.ZERO;
                used[slot] = false;
            }
            return big[slot];
        }

        // x * 10^n, or -1 if it overflows a long (x >= 0).
        private static long raise(long x, int n) {
            if (n == 0) {
                return x;
            }
            if (n >= POW10.length || x > Long.MAX_VALUE / POW10[n]) {
                return -1;
            }
            return x * POW10[n];
        }

        void result(BigDecimal[] out) {
            for (int i = 0; i < SLOTS; i++) {
                if (big != null && big[i] != null) {
                    BigDecimal v = big[i].signum() == 0 ? BigDecimal.ZERO : big[i].stripTrailingZeros();
                    out[i] = v.scale() < 0 ? v.setScale(0) : v;
                } else if (used[i] && unscaled[i] != 0) {
                    long u = unscaled[i];
                    int s = scale[i];
                    while (s > 0 && u % 10 == 0) {
                        u /= 10;
                        s--;
                    }
                    out[i] = BigDecimal.valueOf(u, s);
                } else {
                    out[i] = BigDecimal.ZERO;
                }
            }
        }
    }

    private static boolean isWholeLong(BigDecimal v) {
        if (v.scale() <= 0 || v.signum() == 0) {
            return v.precision() - v.scale() < 19;
        }
        BigDecimal s = v.stripTrailingZeros();
        return s.scale() <= 0 && s.precision() - s.scale() < 19;
    }

    private String overflowMessage(int i, TokenUsage usage) {
        Unit unit = ordered[i].unit();
        BigDecimal total = count(usage, unit);
        for (int d : descendants[i]) {
            Unit du = ordered[d].unit();
            BigDecimal v = count(usage, du);
            if (v.compareTo(total) > 0) {
                return UsageField.name(du.usageKey()) + " (" + v.toPlainString() + ") cannot exceed "
                        + UsageField.name(unit.usageKey()) + " (" + total.toPlainString() + ")";
            }
        }
        StringBuilder names = new StringBuilder();
        for (int d : descendants[i]) {
            if (count(usage, ordered[d].unit()).signum() > 0) {
                names.append(names.length() == 0 ? "" : ", ").append(UsageField.name(ordered[d].unit().usageKey()));
            }
        }
        return "more specific usage (" + names + ") exceeds " + UsageField.name(unit.usageKey()) + " (" + total.toPlainString() + ")";
    }

    private static BigDecimal count(TokenUsage usage, Unit unit) {
        int f = UsageField.of(unit.usageKey());
        if (f == UsageField.OTHER) {
            BigDecimal v = usage.otherUnits().get(unit.usageKey());
            return v == null ? BigDecimal.ZERO : v;
        }
        return BigDecimal.valueOf(UsageField.count(usage, f, unit.usageKey()));
    }
}
