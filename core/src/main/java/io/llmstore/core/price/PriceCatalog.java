package io.llmstore.core.price;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmstore.core.price.internal.CatalogData;
import io.llmstore.core.price.internal.PriceSchedule;
import io.llmstore.core.price.internal.PriceTable;
import io.llmstore.core.price.internal.PriceValue;
import io.llmstore.core.price.internal.ProviderEntry;
import io.llmstore.core.price.internal.UsageExtractor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * LLM prices: the bundled {@code @pydantic/genai-prices} dataset (or a file in the same format),
 * with overrides layered on top, and the exact cost of a call at the price in force when it was
 * made. Cost semantics follow the dataset's reference implementation ({@code calcPrice}); see
 * {@link TokenUsage} for how counts include each other and {@link Cost} for the breakdown.
 *
 * <p>Immutable and thread-safe. Lookups, including misses, are cached per catalog, so pricing a
 * known model does not run the dataset's match rules again. The cache holds at most about
 * {@value #LOOKUP_CACHE_SIZE} provider/model pairs: when a new pair would exceed that, it is
 * emptied and refills with the pairs still in use, so caller-supplied ids cannot grow it without
 * bound.
 *
 * <pre>{@code
 * PriceCatalog prices = PriceCatalog.bundled();
 * Optional<Cost> cost = prices.cost("anthropic", "claude-sonnet-4-5",
 *         TokenUsage.builder().inputTokens(1200).cacheReadTokens(1000).outputTokens(300).build(),
 *         Instant.now());
 * }</pre>
 */
public final class PriceCatalog {

    /** Number of cached provider/model lookups per catalog past which the cache starts over. */
    public static final int LOOKUP_CACHE_SIZE = 10_000;

    /** Class-path location of the bundled catalog. */
    public static final String BUNDLED_RESOURCE = "/io/llmstore/core/price/genai-prices.json";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final CatalogData data;
    private final List<CompiledOverride> overrides;   // newest first
    // Lookup cache: provider -> model -> pricing, and model -> pricing for lookups without a
    // provider. Two plain map reads of the caller's strings (whose hash codes String caches) cost
    // less than building a key string and a Caffeine read, and allocate nothing.
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, Optional<ModelPricing>>> byProvider =
            new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Optional<ModelPricing>> byModel = new ConcurrentHashMap<>();
    private final AtomicInteger cachedLookups = new AtomicInteger();

    private record CompiledOverride(PriceOverride override, PriceSchedule schedule) {
    }

    private PriceCatalog(CatalogData data, List<CompiledOverride> overrides) {
        this.data = data;
        this.overrides = List.copyOf(overrides);
    }

    // Initialization-on-demand holder: the one piece of static state, loaded once on first use.
    private static final class Bundled {
        static final PriceCatalog INSTANCE = load();

        private static PriceCatalog load() {
            try (InputStream in = PriceCatalog.class.getResourceAsStream(BUNDLED_RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("bundled price catalog " + BUNDLED_RESOURCE + " is missing from the class path");
                }
                return fromJson(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read bundled price catalog " + BUNDLED_RESOURCE, e);
            }
        }
    }

    /** The catalog bundled with this library; loaded on first call, then shared. */
    public static PriceCatalog bundled() {
        return Bundled.INSTANCE;
    }

    /**
     * Reads a catalog in the bundled file's format (as written by {@code scripts/update-prices}).
     * The stream is read to its end and not closed.
     *
     * @throws IOException if the stream cannot be read or is not JSON
     * @throws IllegalArgumentException if the content is not a valid catalog
     */
    public static PriceCatalog fromJson(InputStream in) throws IOException {
        Objects.requireNonNull(in, "in");
        return new PriceCatalog(CatalogData.read(in), List.of());
    }

    /** Reads a catalog file; see {@link #fromJson(InputStream)}. */
    public static PriceCatalog fromJson(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return fromJson(in);
        }
    }

    /**
     * A new catalog with {@code override} on top of this one's layers; this catalog is unchanged.
     * The newest override that applies to a provider and model wins.
     *
     * @throws IllegalArgumentException if it names an unknown price key, or prices a unit without
     *         the units that include it (e.g. {@code cache_read_mtok} without {@code input_mtok})
     */
    public PriceCatalog withOverride(PriceOverride override) {
        Objects.requireNonNull(override, "override");
        Map<String, PriceValue> prices = new LinkedHashMap<>();
        for (Map.Entry<String, BigDecimal> e : override.prices().entrySet()) {
            if (data.units().byPriceKey(e.getKey()) == null) {
                throw new IllegalArgumentException("override " + override.id() + ": unknown price key " + e.getKey());
            }
            prices.put(e.getKey(), PriceValue.flat(e.getValue()));
        }
        PriceTable table = PriceTable.compile(prices, data.units());
        if (table.problem() != null) {
            throw new IllegalArgumentException("override " + override.id() + ": " + table.problem());
        }
        List<CompiledOverride> layers = new ArrayList<>();
        layers.add(new CompiledOverride(override, new PriceSchedule(List.of(new PriceSchedule.Entry(null, table)))));
        layers.addAll(overrides);
        return new PriceCatalog(data, layers);
    }

    /** The dataset's name and version, e.g. {@code @pydantic/genai-prices@0.1.8}. */
    public String version() {
        return data.datasetName() + "@" + data.version();
    }

    /** Publication date of the dataset version, if the file records it. */
    public Optional<String> publishedDate() {
        return Optional.ofNullable(data.published());
    }

    /** Ids of the dataset's providers, in dataset order. */
    public List<String> providerIds() {
        return data.providers().stream().map(ProviderEntry::id).toList();
    }

    /**
     * Finds the prices of a model at a provider, using the dataset's match rules (case-insensitive
     * ids, provider aliases, fallback providers such as Azure serving OpenAI models, and
     * {@code -YYYYMMDD} dates read as {@code -YYYY-MM-DD}).
     *
     * @param provider provider id, e.g. {@code openai}; not null
     * @param model model id as sent to or returned by the provider; not null
     * @return the pricing, or empty if neither an override nor the dataset prices it
     */
    public Optional<ModelPricing> find(String provider, String model) {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(model, "model");
        ConcurrentHashMap<String, Optional<ModelPricing>> models = byProvider.get(provider);
        Optional<ModelPricing> hit = models == null ? null : models.get(model);
        if (hit != null) {
            return hit;
        }
        Optional<ModelPricing> found = resolve(provider, model);
        if (makeRoom()) {
            byProvider.computeIfAbsent(provider, p -> new ConcurrentHashMap<>()).put(model, found);
        }
        return found;
    }

    /**
     * Finds the prices of a model without naming the provider: the first provider (in dataset
     * order) whose model rule claims the id, as the reference does; overrides match by model id.
     *
     * @return the pricing, or empty if no provider claims the model
     */
    public Optional<ModelPricing> find(String model) {
        Objects.requireNonNull(model, "model");
        Optional<ModelPricing> hit = byModel.get(model);
        if (hit != null) {
            return hit;
        }
        Optional<ModelPricing> found = resolve(null, model);
        if (makeRoom()) {
            byModel.put(model, found);
        }
        return found;
    }

    /**
     * The cost of one call, or empty if the model is unpriced (never a zero cost for an unknown
     * model).
     *
     * @param provider provider id; not null
     * @param model model id; not null
     * @param usage what the call used; not null
     * @param at when the call was made, selects dated prices; not null
     * @throws IllegalArgumentException if the usage is inconsistent for the units the model prices
     */
    public Optional<Cost> cost(String provider, String model, TokenUsage usage, Instant at) {
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(at, "at");
        Optional<ModelPricing> pricing = find(provider, model);
        return pricing.isPresent() ? Optional.of(pricing.get().cost(usage, at)) : Optional.empty();
    }

    // Counts one more cached lookup; past the limit, empties the cache instead. Starting over
    // keeps memory bounded without eviction bookkeeping on the read path, and unlike refusing
    // new entries it lets models first seen after a flood of unknown ids be cached again.
    // Concurrent callers may overshoot the limit by a few entries; the count stays approximate.
    private boolean makeRoom() {
        if (cachedLookups.incrementAndGet() <= LOOKUP_CACHE_SIZE) {
            return true;
        }
        byProvider.clear();
        byModel.clear();
        cachedLookups.set(0);
        return false;
    }

    private Optional<ModelPricing> resolve(String provider, String model) {
        String m = model.trim().toLowerCase(Locale.ROOT);
        for (CompiledOverride o : overrides) {
            if (o.override().appliesTo(provider, m)) {
                String pid = o.override().provider() != null ? o.override().provider() : provider;
                return Optional.of(new ModelPricing(new PricedBy("override:" + o.override().id(), pid, o.override().model()),
                        null, o.schedule()));
            }
        }
        CatalogData.Match match = data.find(provider, model);
        if (match == null) {
            return Optional.empty();
        }
        return Optional.of(new ModelPricing(new PricedBy(version(), match.provider().id(), match.model().id()),
                match.model().name(), match.model().schedule()));
    }

    /**
     * Reads model and usage from a provider's response, with the dataset's extractor for that
     * provider and API flavor: {@code "default"} if the provider has one, else {@code "chat"}
     * (OpenAI-compatible chat completions). Anthropic messages use {@code anthropic} /
     * {@code default}; OpenAI chat completions use {@code openai} / {@code chat}.
     *
     * @param provider provider id, e.g. {@code anthropic}
     * @param response the response body
     * @return the usage, or empty if the provider is unknown or has no extractors
     * @throws IllegalArgumentException if the response lacks a required usage value
     */
    public Optional<ExtractedUsage> extractUsage(String provider, JsonNode response) {
        return extractUsage(provider, response, null);
    }

    /** As {@link #extractUsage(String, JsonNode)} for a JSON string. */
    public Optional<ExtractedUsage> extractUsage(String provider, String responseJson) {
        try {
            return extractUsage(provider, MAPPER.readTree(responseJson), null);
        } catch (IOException e) {
            throw new IllegalArgumentException("response is not valid JSON: " + e.getMessage(), e);
        }
    }

    /**
     * As {@link #extractUsage(String, JsonNode)} with an explicit API flavor (for example
     * {@code responses}, {@code anthropic}); null picks {@code default}, else {@code chat}.
     *
     * @throws IllegalArgumentException if the provider has no extractor for that flavor
     */
    public Optional<ExtractedUsage> extractUsage(String provider, JsonNode response, String apiFlavor) {
        Objects.requireNonNull(provider, "provider");
        ProviderEntry p = data.provider(provider);
        if (p == null || p.extractors().isEmpty()) {
            return Optional.empty();
        }
        UsageExtractor x = apiFlavor != null ? p.extractor(apiFlavor)
                : p.extractor("default") != null ? p.extractor("default") : p.extractor("chat");
        if (x == null) {
            throw new IllegalArgumentException("provider " + p.id() + " has no extractor for API flavor " + apiFlavor
                    + ", allowed: " + p.extractors().stream().map(UsageExtractor::apiFlavor).toList());
        }
        UsageExtractor.Result r = x.extract(response, data.units());
        Map<String, Long> u = new HashMap<>(r.usage());
        TokenUsage usage = new TokenUsage(take(u, "input_tokens"), take(u, "cache_read_tokens"),
                take(u, "cache_write_tokens"), take(u, "output_tokens"), take(u, "input_audio_tokens"),
                take(u, "cache_audio_read_tokens"), take(u, "output_audio_tokens"), take(u, "output_reasoning_tokens"), u);
        return Optional.of(new ExtractedUsage(Optional.ofNullable(r.model()), usage));
    }

    private static long take(Map<String, Long> m, String key) {
        Long v = m.remove(key);
        return v == null ? 0 : v;
    }

    @Override
    public String toString() {
        return "PriceCatalog[" + version() + ", " + data.providers().size() + " providers, "
                + overrides.size() + " overrides]";
    }
}
