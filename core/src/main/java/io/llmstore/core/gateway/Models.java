package io.llmstore.core.gateway;

import io.llmstore.core.cache.LookupCacheStats;
import io.llmstore.core.gateway.internal.TieredCache;
import io.llmstore.core.price.Cost;
import io.llmstore.core.price.PriceCatalog;
import io.llmstore.core.price.PriceOverride;
import io.llmstore.core.price.TokenUsage;
import io.llmstore.core.stats.CacheStats;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Providers and models of the gateway: {@code pool.gateway().models()}. A model is found by its name or any alias
 * (ignoring case), cache-aside through the local tier ({@code CACHE_MODEL_SIZE} 500, {@code CACHE_MODEL_TTL} 15m),
 * Redis when configured, then the database.
 *
 * <p>Prices come from the bundled {@link PriceCatalog} by the provider's LiteLLM id and the model's name; prices
 * stored with {@link #setPrice} win over it within their dates, so a call is priced by what was in force at its
 * timestamp. Thread-safe.
 */
public final class Models {
    /** The invalidation key that drops every model and the price layer. */
    static final String ALL = "*";

    private final ModelStore store;
    private final TieredCache<Model> cache;
    private final PriceCatalog base;
    private final Duration invalidationBound;
    private final AtomicReference<PriceCatalog> priced = new AtomicReference<>();

    Models(ModelStore store, TieredCache<Model> cache, PriceCatalog base, Duration invalidationBound) {
        this.store = store;
        this.cache = cache;
        this.base = base;
        this.invalidationBound = invalidationBound;
    }

    /**
     * How long after a write (a price, an invalidation) another instance may still answer from its local tier: the
     * Redis tier's bound when Redis is configured, else {@code CACHE_MODEL_TTL}.
     */
    public Duration invalidationBound() {
        return invalidationBound;
    }

    /** Creates the provider {@code name} served by LiteLLM's {@code litellmProvider} (or updates that id). */
    public Provider registerProvider(String name, String litellmProvider) {
        ModelSpec.checkName("name", name);
        ModelSpec.checkName("litellmProvider", litellmProvider);
        return store.upsertProvider(name, litellmProvider);
    }

    /**
     * Stores a model with its aliases.
     *
     * @throws ModelNotFoundException when its provider is not registered
     * @throws io.llmstore.core.error.QueryException a data error when a name or alias is taken
     */
    public Model register(ModelSpec spec) {
        // Nothing to invalidate: misses are never cached, and a new name or alias cannot be another model's.
        return store.insert(Objects.requireNonNull(spec, "spec"));
    }

    /**
     * The model called {@code nameOrAlias}, cached.
     *
     * @throws ModelNotFoundException naming what was asked and, when there are any, up to 3 similar names
     */
    public Model get(String nameOrAlias) {
        return find(nameOrAlias).orElseThrow(() -> {
            List<String> similar = search(nameOrAlias, 3).stream().map(Model::name).toList();
            return new ModelNotFoundException("no model has the name or alias '" + abbreviate(nameOrAlias) + "'"
                    + (similar.isEmpty() ? "" : "; similar: " + similar));
        });
    }

    /** The model called {@code nameOrAlias}, cached; empty when none. */
    public Optional<Model> find(String nameOrAlias) {
        Objects.requireNonNull(nameOrAlias, "nameOrAlias");
        return Optional.ofNullable(cache.get(nameOrAlias.toLowerCase(Locale.ROOT)));
    }

    /**
     * Up to {@code limit} models whose name or alias resembles {@code query}, best first: pg_trgm similarity when the
     * extension is in the database, else a ranked ILIKE (exact, then prefix, then substring, shorter names first).
     */
    public List<Model> search(String query, int limit) {
        Objects.requireNonNull(query, "query");
        if (limit < 1 || limit > 1000) {
            throw new IllegalArgumentException("limit must be 1..1000, was " + limit);
        }
        return query.isBlank() ? List.of() : store.search(query.strip(), limit);
    }

    /** True when {@link #search} ranks by pg_trgm similarity. */
    public boolean isTrigramSearch() {
        return store.isTrigramSearch();
    }

    /**
     * Stores a price for the model in force over {@code [from, until)} (either may be null for open), by price key
     * ({@code input_mtok}, {@code output_mtok}, {@code cache_read_mtok}, ... USD per unit, see
     * {@link PriceOverride}); it wins over the bundled catalog and over earlier stored prices within its dates.
     *
     * @throws ModelNotFoundException when no model is called {@code model}
     * @throws IllegalArgumentException naming a negative price or dates out of order
     */
    public ModelPrice setPrice(String model, Map<String, BigDecimal> prices, Instant from, Instant until) {
        Model m = get(model);
        new PriceOverride("check", m.litellmProvider(), m.name(), prices, from, until, false); // validates
        ModelPrice stored = store.insertPrice(m.id(), prices, from, until);
        cache.invalidate(ALL); // also tells other instances to rebuild their price layer
        priced.set(null);
        return stored;
    }

    /**
     * The exact cost of {@code usage} on {@code model} at {@code at}: every token class of {@link TokenUsage}, at the
     * price in force then (a stored price within its dates, else the bundled catalog). Empty when neither prices the
     * model (never a silent $0).
     *
     * @throws ModelNotFoundException when no model is called {@code model}
     */
    public Optional<Cost> calculateCost(String model, TokenUsage usage, Instant at) {
        Model m = get(model);
        return catalog().cost(m.litellmProvider(), m.name(), usage, at);
    }

    /** The price catalog in force: the bundled one with every stored price layered over it. */
    public PriceCatalog catalog() {
        PriceCatalog current = priced.get();
        if (current == null) {
            current = build();
            priced.compareAndSet(null, current);
        }
        return current;
    }

    private PriceCatalog build() {
        Map<Long, Model> byId = new HashMap<>();
        store.all().forEach(m -> byId.put(m.id(), m));
        PriceCatalog catalog = base;
        // Later rows win: withOverride layers each new override over the earlier ones.
        for (ModelPrice p : store.prices()) {
            Model m = byId.get(p.modelId());
            if (m != null) {
                catalog = catalog.withOverride(new PriceOverride("db-" + p.id(), m.litellmProvider(), m.name(),
                        p.prices(), p.effectiveFrom(), p.effectiveUntil(), false));
            }
        }
        return catalog;
    }

    /** Drops {@code nameOrAlias} from both cache tiers on every instance. */
    public void invalidate(String nameOrAlias) {
        cache.invalidate(nameOrAlias.toLowerCase(Locale.ROOT));
    }

    /** Applies an invalidation published by any instance (the gateway subscribes this). */
    void onInvalidation(String key) {
        cache.invalidateLocal(key);
        if (ALL.equals(key)) {
            priced.set(null);
        }
    }

    /** Counters of the local tier. */
    public LookupCacheStats cacheStats() {
        return cache.localStats();
    }

    /** Hits, misses and errors of the shared (Redis) tier; zeros without Redis. */
    public CacheStats sharedCacheStats() {
        return cache.sharedStats();
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }
}
