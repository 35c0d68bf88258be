package io.llmstore.core.price.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The dataset's unit table, indexed by usage key and by price key. Immutable. */
public final class UnitTable {

    /** The usage key that is counted once per call rather than reported. */
    public static final String REQUESTS = "requests";

    private final List<Unit> units;
    private final Map<String, Unit> byUsageKey;
    private final Map<String, Unit> byPriceKey;
    private final Map<Map<String, String>, Unit> byDimensions;

    private UnitTable(List<Unit> units) {
        this.units = List.copyOf(units);
        Map<String, Unit> usage = new HashMap<>();
        Map<String, Unit> price = new HashMap<>();
        Map<Map<String, String>, Unit> dims = new HashMap<>();
        for (Unit u : units) {
            usage.put(u.usageKey(), u);
            price.put(u.priceKey(), u);
            dims.put(u.dimensions(), u);
        }
        this.byUsageKey = Map.copyOf(usage);
        this.byPriceKey = Map.copyOf(price);
        this.byDimensions = Map.copyOf(dims);
    }

    /** Parses the {@code units} object of the catalog file. */
    public static UnitTable parse(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("catalog 'units' must be an object");
        }
        List<Unit> units = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode u = e.getValue();
            Map<String, String> dims = new TreeMap<>();
            u.path("dimensions").fields().forEachRemaining(d -> dims.put(d.getKey(), d.getValue().asText()));
            String priceKey = u.hasNonNull("price_key") ? u.get("price_key").asText() : e.getKey();
            BigDecimal per = u.path("per").decimalValue();
            if (per.signum() <= 0) {
                throw new IllegalArgumentException("unit " + e.getKey() + ": per must be > 0, was " + per);
            }
            Map<String, String> frozen = Collections.unmodifiableMap(new LinkedHashMap<>(dims));
            units.add(new Unit(units.size(), e.getKey(), priceKey, per, frozen, Unit.bucketOf(frozen)));
        }
        return new UnitTable(units);
    }

    public List<Unit> units() {
        return units;
    }

    public Unit byUsageKey(String usageKey) {
        return byUsageKey.get(usageKey);
    }

    public Unit byPriceKey(String priceKey) {
        return byPriceKey.get(priceKey);
    }

    /** The unit whose dimensions are the union of a's and b's, if the table has one. */
    public Unit join(Unit a, Unit b) {
        if (!a.isCompatibleWith(b)) {
            return null;
        }
        Map<String, String> union = new TreeMap<>(a.dimensions());
        union.putAll(b.dimensions());
        return byDimensions.get(Collections.unmodifiableMap(new LinkedHashMap<>(union)));
    }

    /** True for usage keys a caller reports (all but {@link #REQUESTS}). */
    public boolean isReported(String usageKey) {
        return byUsageKey.containsKey(usageKey) && !REQUESTS.equals(usageKey);
    }
}
