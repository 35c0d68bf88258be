package io.llmstore.core.price.internal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed catalog file (the format written by {@code scripts/update-prices}) and the dataset's
 * lookup rules: provider by id or alias, model by the provider's match rules, then its fallback
 * providers, then the same with a {@code -YYYYMMDD} date rewritten as {@code -YYYY-MM-DD}.
 */
public final class CatalogData {

    /** A resolved model: the provider that priced it and the model entry. */
    public record Match(ProviderEntry provider, ModelEntry model) {
    }

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final Pattern COMPACT_DATE =
            Pattern.compile("(-)(20\\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\\d|3[01])(?=-|:|$)");

    private final String datasetName;
    private final String version;
    private final String published;
    private final UnitTable units;
    private final List<ProviderEntry> providers;
    private final Map<String, ProviderEntry> byId;

    private CatalogData(String datasetName, String version, String published, UnitTable units,
                        List<ProviderEntry> providers) {
        this.datasetName = datasetName;
        this.version = version;
        this.published = published;
        this.units = units;
        this.providers = List.copyOf(providers);
        Map<String, ProviderEntry> ids = new HashMap<>();
        for (ProviderEntry p : providers) {
            ids.putIfAbsent(p.id(), p);
        }
        this.byId = Map.copyOf(ids);
    }

    /** Reads a catalog file; the stream is read fully and not closed. */
    public static CatalogData read(InputStream in) throws IOException {
        JsonNode root = MAPPER.readTree(in);
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("price catalog must be a JSON object");
        }
        if (root.path("format").asInt() != 1) {
            throw new IllegalArgumentException("unsupported price catalog format " + root.get("format") + ", expected 1");
        }
        JsonNode ds = root.path("dataset");
        UnitTable units = UnitTable.parse(root.get("units"));
        List<ProviderEntry> providers = new ArrayList<>();
        for (JsonNode p : root.path("providers")) {
            providers.add(parseProvider(p, units));
        }
        return new CatalogData(ds.path("name").asText("unknown"), ds.path("version").asText("unknown"),
                ds.path("published").asText(null), units, providers);
    }

    private static ProviderEntry parseProvider(JsonNode p, UnitTable units) {
        String id = p.path("id").asText();
        List<ModelEntry> models = new ArrayList<>();
        for (JsonNode m : p.path("models")) {
            String modelId = m.path("id").asText();
            try {
                models.add(new ModelEntry(modelId, m.path("name").asText(null), MatchRule.parse(m.get("match")),
                        parseSchedule(m.get("prices"), units)));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("provider '" + id + "' model '" + modelId + "': " + e.getMessage(), e);
            }
        }
        List<String> fallbacks = new ArrayList<>();
        p.path("fallback_model_providers").forEach(f -> fallbacks.add(f.asText()));
        List<UsageExtractor> extractors = new ArrayList<>();
        p.path("extractors").forEach(e -> extractors.add(UsageExtractor.parse(e)));
        return new ProviderEntry(id, p.path("name").asText(id),
                p.hasNonNull("provider_match") ? MatchRule.parse(p.get("provider_match")) : null,
                p.hasNonNull("model_match") ? MatchRule.parse(p.get("model_match")) : null,
                List.copyOf(fallbacks), List.copyOf(models), List.copyOf(extractors));
    }

    static PriceSchedule parseSchedule(JsonNode prices, UnitTable units) {
        List<PriceSchedule.Entry> entries = new ArrayList<>();
        if (prices != null && prices.isArray()) {
            for (JsonNode c : prices) {
                entries.add(new PriceSchedule.Entry(parseConstraint(c.get("constraint")),
                        PriceTable.compile(parsePrices(c.get("prices")), units)));
            }
        } else {
            entries.add(new PriceSchedule.Entry(null, PriceTable.compile(parsePrices(prices), units)));
        }
        return new PriceSchedule(entries);
    }

    private static PriceSchedule.Constraint parseConstraint(JsonNode c) {
        if (c == null || c.isNull()) {
            return null;
        }
        String type = c.path("type").asText("");
        if (type.equals("start_date") || (type.isEmpty() && c.has("start_date"))) {
            return PriceSchedule.startDate(c.path("start_date").asText(null));
        }
        if (type.equals("time_of_date") || (type.isEmpty() && c.has("start_time"))) {
            return PriceSchedule.timeOfDay(c.path("start_time").asText(null), c.path("end_time").asText(null));
        }
        throw new IllegalArgumentException("expected a start-date or time-of-day price constraint, got " + c);
    }

    private static Map<String, PriceValue> parsePrices(JsonNode prices) {
        if (prices == null || !prices.isObject()) {
            throw new IllegalArgumentException("prices must be an object, was " + prices);
        }
        Map<String, PriceValue> out = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = prices.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (v.isNull()) {
                continue;
            }
            if (v.isNumber()) {
                out.put(e.getKey(), PriceValue.flat(v.decimalValue()));
            } else if (v.isObject() && v.path("base").isNumber() && v.path("tiers").isArray()) {
                List<JsonNode> tiers = new ArrayList<>();
                v.get("tiers").forEach(tiers::add);
                tiers.sort((a, b) -> Long.compare(a.path("start").asLong(), b.path("start").asLong()));
                long[] starts = new long[tiers.size()];
                BigDecimal[] tp = new BigDecimal[tiers.size()];
                for (int i = 0; i < starts.length; i++) {
                    starts[i] = tiers.get(i).path("start").asLong();
                    tp[i] = tiers.get(i).path("price").decimalValue();
                }
                out.put(e.getKey(), new PriceValue(v.get("base").decimalValue(), starts, tp));
            } else {
                throw new IllegalArgumentException("Invalid price value for " + e.getKey()
                        + ": expected a non-negative number or tiered prices, was " + v);
            }
        }
        return out;
    }

    /**
     * The first price table that cannot price (a unit priced without its ancestor, overlapping
     * units without their join), as "provider 'p' model 'm' prices[i]: why", or null if all can.
     */
    public String firstProblem() {
        for (ProviderEntry p : providers) {
            for (ModelEntry m : p.models()) {
                List<PriceSchedule.Entry> entries = m.schedule().entries();
                for (int i = 0; i < entries.size(); i++) {
                    String problem = entries.get(i).table().problem();
                    if (problem != null) {
                        return "provider '" + p.id() + "' model '" + m.id() + "' prices[" + i + "]: " + problem;
                    }
                }
            }
        }
        return null;
    }

    public String datasetName() {
        return datasetName;
    }

    public String version() {
        return version;
    }

    /** Publication date (YYYY-MM-DD) of the dataset version, or null. */
    public String published() {
        return published;
    }

    public UnitTable units() {
        return units;
    }

    public List<ProviderEntry> providers() {
        return providers;
    }

    /** Provider by id (lower-cased, trimmed) or by its alias rule, or null. */
    public ProviderEntry provider(String providerId) {
        String id = providerId.trim().toLowerCase(Locale.ROOT);
        ProviderEntry p = byId.get(id);
        if (p != null) {
            return p;
        }
        for (ProviderEntry e : providers) {
            if (e.providerMatch() != null && e.providerMatch().matches(id)) {
                return e;
            }
        }
        return null;
    }

    /**
     * Resolves a model as {@code calcPrice} does. {@code providerId} may be null: then the first
     * provider whose model rule matches the model id is used.
     */
    public Match find(String providerId, String modelId) {
        String model = modelId.trim().toLowerCase(Locale.ROOT);
        ProviderEntry provider = null;
        if (providerId != null) {
            String pid = providerId;
            // LiteLLM names models "<provider>/<model>"; price them at that provider.
            if (pid.trim().equalsIgnoreCase("litellm") && model.contains("/")) {
                int slash = model.indexOf('/');
                String head = model.substring(0, slash);
                String tail = model.substring(slash + 1);
                if (!head.isEmpty() && !tail.isEmpty() && provider(head) != null) {
                    pid = head;
                    model = tail;
                }
            }
            provider = provider(pid);
            if (provider == null && !pid.trim().equalsIgnoreCase("litellm")) {
                return null;
            }
        }
        if (provider == null) {
            for (ProviderEntry p : providers) {
                if (p.modelMatch() != null && p.modelMatch().matches(model)) {
                    provider = p;
                    break;
                }
            }
            if (provider == null) {
                return null;
            }
        }
        Match m = findIn(provider, model, true);
        if (m != null) {
            return m;
        }
        String normalized = normalizeDates(model);
        return normalized.equals(model) ? null : findIn(provider, normalized, true);
    }

    private Match findIn(ProviderEntry provider, String model, boolean followFallbacks) {
        ModelEntry m = provider.findModel(model);
        if (m != null) {
            return new Match(provider, m);
        }
        if (followFallbacks) {
            for (String f : provider.fallbackProviders()) {
                ProviderEntry fp = byId.get(f);
                if (fp != null) {
                    // The reference follows fallbacks one level only.
                    Match fm = findIn(fp, model, false);
                    if (fm != null) {
                        return new Match(provider, fm.model());
                    }
                }
            }
        }
        return null;
    }

    static String normalizeDates(String model) {
        Matcher m = COMPACT_DATE.matcher(model);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            int y = Integer.parseInt(m.group(2));
            int mo = Integer.parseInt(m.group(3));
            int d = Integer.parseInt(m.group(4));
            boolean valid = d <= java.time.YearMonth.of(y, mo).lengthOfMonth();
            m.appendReplacement(sb, Matcher.quoteReplacement(valid
                    ? m.group(1) + m.group(2) + "-" + m.group(3) + "-" + m.group(4) : m.group()));
        }
        m.appendTail(sb);
        return sb.toString();
    }
}
