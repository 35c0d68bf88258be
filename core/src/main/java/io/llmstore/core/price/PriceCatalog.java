package io.llmstore.core.price;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmstore.core.price.internal.CatalogData;
import io.llmstore.core.price.internal.ModelEntry;
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

    // Strict: a body with text after its JSON value ("}\n\ndata: [DONE]") is refused, not half-read.
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private final List<CatalogData> layers;            // top first; the last is the base catalog
    private final List<CompiledOverride> overrides;   // newest first
    // Lookup cache: provider -> model -> pricing, and model -> pricing for lookups without a
    // provider. Two plain map reads of the caller's strings (whose hash codes String caches) cost
    // less than building a key string and a Caffeine read, and allocate nothing.
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, Optional<ModelPricing>>> byProvider =
            new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Optional<ModelPricing>> byModel = new ConcurrentHashMap<>();
    private final AtomicInteger cachedLookups = new AtomicInteger();

    // target: the catalog model the override follows, or null to match the literal id.
    private record CompiledOverride(PriceOverride override, PriceTable table, ModelEntry target) {
    }

    private PriceCatalog(List<CatalogData> layers, List<CompiledOverride> overrides) {
        this.layers = List.copyOf(layers);
        // Targets are resolved against this catalog's layers, so an override follows the model
        // that this catalog (not the one it was first added to) resolves its id to.
        List<CompiledOverride> resolved = new ArrayList<>();
        for (CompiledOverride o : overrides) {
            PriceOverride po = o.override();
            CatalogData.Match target = po.exactModelId() ? null : match(po.provider(), po.model());
            resolved.add(new CompiledOverride(po, o.table(), target == null ? null : target.model()));
        }
        this.overrides = List.copyOf(resolved);
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
     * The stream is read to its end and not closed. Every price table is checked here, so a file
     * that prices a unit without the units that include it fails now, not at the first
     * {@code cost} call. To layer the file over the bundled catalog instead of replacing it, use
     * {@code PriceCatalog.bundled().withCatalog(PriceCatalog.fromJson(file))}.
     *
     * @throws IOException if the stream cannot be read or is not JSON
     * @throws IllegalArgumentException if the content is not a valid catalog, naming the provider,
     *         model and price table at fault
     */
    public static PriceCatalog fromJson(InputStream in) throws IOException {
        Objects.requireNonNull(in, "in");
        CatalogData data = CatalogData.read(in);
        String problem = data.firstProblem();
        if (problem != null) {
            throw new IllegalArgumentException("price catalog " + data.datasetName() + "@" + data.version() + ": " + problem);
        }
        return new PriceCatalog(List.of(data), List.of());
    }

    /** Reads a catalog file; see {@link #fromJson(InputStream)}. */
    public static PriceCatalog fromJson(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        try (InputStream in = Files.newInputStream(file)) {
            return fromJson(in);
        }
    }

    /**
     * A new catalog that looks models up in {@code layer}'s data first and in this catalog's data
     * when {@code layer} does not price them; this catalog is unchanged. A model the layer prices
     * is priced entirely by the layer's schedule (its own dated entries included); the layer's
     * {@link PricedBy#source()} names the layer's dataset and version. Overrides of both catalogs
     * apply, this one's first, and follow the model the combined catalog resolves an id to.
     *
     * @param layer a catalog, typically {@link #fromJson(Path)} of a private price file; not null
     * @throws IllegalArgumentException if {@code layer} is null
     */
    public PriceCatalog withCatalog(PriceCatalog layer) {
        if (layer == null) {
            throw new IllegalArgumentException("layer must not be null");
        }
        List<CatalogData> combined = new ArrayList<>(layer.layers);
        combined.addAll(layers);
        List<CompiledOverride> all = new ArrayList<>(overrides);
        all.addAll(layer.overrides);
        return new PriceCatalog(combined, all);
    }

    /**
     * A new catalog with {@code override} on top of this one's layers; this catalog is unchanged.
     * For each call, the newest override that applies to its model and whose window contains the
     * call's time wins; when none does, the catalog's dated prices apply. See {@link PriceOverride}
     * for which ids an override applies to.
     *
     * @throws IllegalArgumentException if {@code override} is null, names an unknown price key, or
     *         prices a unit without the units that include it (e.g. {@code cache_read_mtok} without
     *         {@code input_mtok})
     */
    public PriceCatalog withOverride(PriceOverride override) {
        if (override == null) {
            throw new IllegalArgumentException("override must not be null");
        }
        Map<String, PriceValue> prices = new LinkedHashMap<>();
        for (Map.Entry<String, BigDecimal> e : override.prices().entrySet()) {
            if (base().units().byPriceKey(e.getKey()) == null) {
                throw new IllegalArgumentException("override " + override.id() + ": unknown price key " + e.getKey());
            }
            prices.put(e.getKey(), PriceValue.flat(e.getValue()));
        }
        PriceTable table = PriceTable.compile(prices, base().units());
        if (table.problem() != null) {
            throw new IllegalArgumentException("override " + override.id() + ": " + table.problem());
        }
        List<CompiledOverride> all = new ArrayList<>();
        all.add(new CompiledOverride(override, table, null));
        all.addAll(overrides);
        return new PriceCatalog(layers, all);
    }

    private CatalogData base() {
        return layers.get(layers.size() - 1);
    }

    /**
     * The base dataset's name and version, e.g. {@code @pydantic/genai-prices@0.1.8} (for a
     * layered catalog, the bottom layer's; each {@link Cost#pricedBy()} names what priced it).
     */
    public String version() {
        return version(base());
    }

    private static String version(CatalogData d) {
        return d.datasetName() + "@" + d.version();
    }

    /** Publication date of the base dataset version, if the file records it. */
    public Optional<String> publishedDate() {
        return Optional.ofNullable(base().published());
    }

    /** Ids of the base dataset's providers, in dataset order. */
    public List<String> providerIds() {
        return base().providers().stream().map(ProviderEntry::id).toList();
    }

    /**
     * Finds the prices of a model at a provider, using the dataset's match rules (case-insensitive
     * ids, provider aliases, fallback providers such as Azure serving OpenAI models, and
     * {@code -YYYYMMDD} dates read as {@code -YYYY-MM-DD}).
     *
     * @param provider provider id, e.g. {@code openai}; null or blank means no provider, as in the
     *        reference, and is the same as {@link #find(String)}
     * @param model model id as sent to or returned by the provider; not null
     * @return the pricing, or empty if neither an override nor the dataset prices it
     * @throws IllegalArgumentException if {@code model} is null
     */
    public Optional<ModelPricing> find(String provider, String model) {
        requireModel(model);
        if (provider == null || provider.isBlank()) {
            return find(model);
        }
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
        requireModel(model);
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
     * The cost of one call, or empty if the model is unpriced at {@code at} (never a zero cost for
     * an unknown model).
     *
     * @param provider provider id; null or blank means no provider (see {@link #find(String)})
     * @param model model id; not null
     * @param usage what the call used; not null
     * @param at when the call was made, selects dated prices and dated overrides; not null
     * @throws IllegalArgumentException naming the argument that is null, or if the usage is
     *         inconsistent for the units the model prices
     */
    public Optional<Cost> cost(String provider, String model, TokenUsage usage, Instant at) {
        if (usage == null) {
            throw new IllegalArgumentException("usage must not be null");
        }
        if (at == null) {
            throw new IllegalArgumentException("at must not be null");
        }
        Optional<ModelPricing> pricing = find(provider, model);
        return pricing.isPresent() ? Optional.ofNullable(pricing.get().costOrNull(usage, at)) : Optional.empty();
    }

    /**
     * The cost of one call without naming the provider: the model is found as by
     * {@link #find(String)}.
     *
     * @see #cost(String, String, TokenUsage, Instant)
     */
    public Optional<Cost> cost(String model, TokenUsage usage, Instant at) {
        return cost(null, model, usage, at);
    }

    private static void requireModel(String model) {
        if (model == null) {
            throw new IllegalArgumentException("model must not be null");
        }
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

    private CatalogData.Match match(String provider, String model) {
        for (CatalogData d : layers) {
            CatalogData.Match m = d.find(provider, model);
            if (m != null) {
                return m;
            }
        }
        return null;
    }

    private CatalogData layerOf(CatalogData.Match match) {
        for (CatalogData d : layers) {
            if (d.providers().contains(match.provider())) {
                return d;
            }
        }
        return base();
    }

    private Optional<ModelPricing> resolve(String provider, String model) {
        String m = model.trim().toLowerCase(Locale.ROOT);
        CatalogData.Match match = match(provider, model);
        PricedBy base = match == null ? null
                : new PricedBy(version(layerOf(match)), match.provider().id(), match.model().id());
        List<ModelPricing.Layer> applying = new ArrayList<>();
        for (CompiledOverride o : overrides) {
            PriceOverride po = o.override();
            boolean applies = o.target() != null ? match != null && match.model() == o.target()
                    : po.matchesLiterally(provider, m);
            if (applies) {
                String pid = base != null ? base.providerId() : po.provider() != null ? po.provider() : provider;
                String mid = base != null ? base.modelId() : po.model();
                applying.add(new ModelPricing.Layer(new PricedBy(version() + "+override:" + po.id(), pid, mid),
                        po.effectiveFrom(), po.effectiveUntil(), o.table()));
            }
        }
        if (match == null && applying.isEmpty()) {
            return Optional.empty();
        }
        ModelPricing.Layer[] layered = applying.toArray(new ModelPricing.Layer[0]);
        return Optional.of(match == null ? new ModelPricing(layered[0].pricedBy(), null, null, layered)
                : new ModelPricing(base, match.model().name(), match.model().schedule(), layered));
    }

    /**
     * Reads model and usage from a provider's response body, detecting the API flavor from the
     * body (see {@link #extractUsage(String, JsonNode, String)}).
     *
     * @param provider provider id, e.g. {@code anthropic}; not null
     * @param responseJson one JSON value: a non-streamed response body, or the JSON payload of one
     *        streamed event (the text after {@code data: }), typically the last one that carries usage
     * @return the usage, or empty if the provider is unknown or has no extractors
     * @throws IllegalArgumentException if the body is empty, is not exactly one JSON value (text
     *         after it, such as {@code data: [DONE]}, is refused), or lacks a required usage value
     */
    public Optional<ExtractedUsage> extractUsage(String provider, String responseJson) {
        return extractUsage(provider, parse(responseJson), null);
    }

    /** As {@link #extractUsage(String, String)} for a parsed body; the flavor is detected. */
    public Optional<ExtractedUsage> extractUsage(String provider, JsonNode response) {
        return extractUsage(provider, response, null);
    }

    /** As {@link #extractUsage(String, JsonNode, String)} for a JSON string, parsed strictly. */
    public Optional<ExtractedUsage> extractUsage(String provider, String responseJson, String apiFlavor) {
        return extractUsage(provider, parse(responseJson), apiFlavor);
    }

    /**
     * Reads model and usage from a provider's response with the dataset's extractor for that
     * provider and API flavor. {@code apiFlavor} names the flavor explicitly (the dataset's names:
     * {@code chat}, {@code responses}, {@code realtime}, {@code embeddings}, {@code anthropic},
     * {@code default}, ...); null detects it from the body:
     * <ul>
     * <li>{@code "object": "response"} (OpenAI Responses API) is {@code responses}; a streamed
     *     {@code response.completed} event is unwrapped to its {@code response} first;</li>
     * <li>{@code "object": "chat.completion"} or {@code "chat.completion.chunk"} (a streamed final
     *     chunk with {@code usage}) is {@code chat}, else the provider's {@code default};</li>
     * <li>{@code "type": "message"} (Anthropic Messages), {@code message_delta} (its final streamed
     *     event), or {@code message_start} (unwrapped to its {@code message}) is {@code anthropic} if
     *     the provider has that flavor (Bedrock, Azure, Vertex), else its {@code default};</li>
     * <li>{@code usageMetadata} (Gemini, streamed or not) is {@code default};</li>
     * <li>{@code "type": "response.done"} (OpenAI Realtime) is {@code realtime}; {@code "object": "list"}
     *     with prompt but no completion tokens is {@code embeddings};</li>
     * <li>anything else: the provider's {@code default}, else {@code chat}.</li>
     * </ul>
     * Counts are exact decimals ({@code billable_audio_seconds: 12.6} stays 12.6); a negative
     * count is refused naming its path; token counts must be whole numbers.
     *
     * @return the usage, or empty if the provider is unknown or has no extractors
     * @throws IllegalArgumentException if the provider has no extractor for the flavor, or the body
     *         lacks a required value or holds a value of the wrong type, naming the path
     */
    public Optional<ExtractedUsage> extractUsage(String provider, JsonNode response, String apiFlavor) {
        if (provider == null) {
            throw new IllegalArgumentException("provider must not be null");
        }
        ProviderEntry p = base().provider(provider);
        if (p == null || p.extractors().isEmpty()) {
            return Optional.empty();
        }
        JsonNode body = response;
        UsageExtractor x;
        if (apiFlavor != null) {
            x = p.extractor(apiFlavor);
            if (x == null) {
                throw new IllegalArgumentException("provider " + p.id() + " has no extractor for API flavor " + apiFlavor
                        + ", allowed: " + p.extractors().stream().map(UsageExtractor::apiFlavor).toList());
            }
        } else {
            String type = response != null && response.isObject() ? response.path("type").asText("") : "";
            if (type.equals("response.completed") || type.equals("response.incomplete") || type.equals("response.failed")) {
                body = response.path("response");   // OpenAI Responses API stream: the final event wraps the response
            } else if (type.equals("message_start")) {
                body = response.path("message");
            }
            x = pick(p, detect(body));
        }
        UsageExtractor.Result r = x.extract(body, base().units());
        Map<String, BigDecimal> u = new HashMap<>(r.usage());
        TokenUsage usage = new TokenUsage(take(u, "input_tokens"), take(u, "cache_read_tokens"),
                take(u, "cache_write_tokens"), take(u, "output_tokens"), take(u, "input_audio_tokens"),
                take(u, "cache_audio_read_tokens"), take(u, "output_audio_tokens"), take(u, "output_reasoning_tokens"), u);
        return Optional.of(new ExtractedUsage(Optional.ofNullable(r.model()), usage, x.apiFlavor()));
    }

    // Flavors to try, most specific first, for the body's shape.
    private static List<String> detect(JsonNode body) {
        if (body == null || !body.isObject()) {
            return List.of("default", "chat");
        }
        String object = body.path("object").asText("");
        String type = body.path("type").asText("");
        if (object.equals("response")) {
            return List.of("responses");
        }
        if (type.equals("response.done")) {
            return List.of("realtime");   // OpenAI Realtime: usage under response.usage
        }
        if (object.equals("list") && body.path("usage").has("prompt_tokens") && !body.path("usage").has("completion_tokens")) {
            return List.of("embeddings", "default", "chat");
        }
        if (object.startsWith("chat.completion")) {
            return List.of("chat", "default");
        }
        if (type.equals("message") || type.equals("message_delta")) {
            return List.of("anthropic", "default");
        }
        if (body.has("usageMetadata")) {
            return List.of("default");
        }
        return List.of("default", "chat");
    }

    private static UsageExtractor pick(ProviderEntry p, List<String> flavors) {
        for (String f : flavors) {
            UsageExtractor x = p.extractor(f);
            if (x != null) {
                return x;
            }
        }
        throw new IllegalArgumentException("provider " + p.id() + " has no extractor for this response shape (tried "
                + flavors + "); pass the API flavor explicitly, one of "
                + p.extractors().stream().map(UsageExtractor::apiFlavor).toList());
    }

    private static JsonNode parse(String responseJson) {
        if (responseJson == null || responseJson.isBlank()) {
            throw new IllegalArgumentException("response body is empty; expected one JSON object");
        }
        try {
            return MAPPER.readTree(responseJson);
        } catch (IOException e) {
            // Jackson's own message says what it found and where (line, column); the body itself is not repeated.
            String m = e.getMessage();
            int source = m == null ? -1 : m.indexOf("\n at [Source");
            throw new IllegalArgumentException("response body is not exactly one JSON value: "
                    + (source > 0 ? m.substring(0, source) : m)
                    + (e instanceof com.fasterxml.jackson.core.JsonProcessingException jpe && jpe.getLocation() != null
                        ? " (line " + jpe.getLocation().getLineNr() + ", column " + jpe.getLocation().getColumnNr() + ")" : ""), e);
        }
    }

    // Token fields are whole numbers; a fractional one would be silently cut by a long.
    private static long take(Map<String, BigDecimal> m, String key) {
        BigDecimal v = m.remove(key);
        if (v == null) {
            return 0;
        }
        try {
            return v.longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("usage " + key + " must be a whole number of tokens, was " + v.toPlainString(), e);
        }
    }

    @Override
    public String toString() {
        return "PriceCatalog[" + version() + (layers.size() > 1 ? " + " + (layers.size() - 1) + " layers" : "") + ", "
                + base().providers().size() + " providers, "
                + overrides.size() + " overrides]";
    }
}
