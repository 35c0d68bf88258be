package io.llmstore.core.gateway;

import io.llmstore.core.cache.LocalLookupCache;
import io.llmstore.core.config.CacheSpec;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.error.ConfigException;
import io.llmstore.core.error.NotConfiguredException;
import io.llmstore.core.gateway.internal.GatewayBudgets;
import io.llmstore.core.gateway.internal.TieredCache;
import io.llmstore.core.price.PriceCatalog;
import io.llmstore.core.ratelimit.RateLimiters;
import io.llmstore.core.spi.BackendDescriptor;
import io.llmstore.core.spi.Feature;
import io.llmstore.core.stats.CacheStats;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The LLM gateway's repositories: {@code pool.gateway()}. {@link #apiKeys()}, {@link #models()}, {@link #records()}
 * (usage records), {@link #summaries()} (monthly, per key), {@link #budgets()} (dollars per key and month, Redis), and {@link #inTransaction} for several writes at once.
 * Stored in PostgreSQL; API keys and models are cached in this JVM (Caffeine) and, when {@code REDIS_URL} is set, in
 * Redis, which also carries invalidations between instances. Without Redis each instance's local entries live until
 * their TTL ({@code CACHE_API_KEY_TTL} 5m, {@code CACHE_MODEL_TTL} 15m): that is then how long a revoked key may
 * still be accepted by another instance. Thread-safe.
 */
public final class Gateway {
    /** The feature's descriptor: needs PostgreSQL (Redis, when configured, adds the shared tier). */
    public static final Feature<Gateway> FEATURE = Feature.of("the gateway repositories", Gateway.class,
            BackendDescriptor.POSTGRES);
    public static final long API_KEY_CACHE_SIZE = 1000;
    public static final Duration API_KEY_CACHE_TTL = Duration.ofMinutes(5);
    public static final long MODEL_CACHE_SIZE = 500;
    public static final Duration MODEL_CACHE_TTL = Duration.ofMinutes(15);

    /** The descriptor of {@link #budgets()}: they are decided in Redis. */
    public static final Feature<Budgets> BUDGETS = Feature.of("gateway budgets", Budgets.class, BackendDescriptor.REDIS);
    private static final Logger log = LoggerFactory.getLogger(Gateway.class);

    private final GatewayStore store;
    private final ApiKeys apiKeys;
    private final Models models;
    private final Optional<Budgets> budgets;

    private Gateway(GatewayStore store, ApiKeys apiKeys, Models models, Optional<Budgets> budgets) {
        this.store = store;
        this.apiKeys = apiKeys;
        this.models = models;
        this.budgets = budgets;
    }

    /**
     * Wiring for backends, not for application code: the gateway over {@code store}, with the shared tier when there
     * is one (it subscribes to the tier's invalidations here).
     *
     * @param config   for {@code CACHE_API_KEY_*}, {@code CACHE_MODEL_*} and {@code GATEWAY_API_KEY_PEPPER}
     * @param limiters the pool's rate limiters, for {@link ApiKeys#tryAcquire}; empty = none open
     */
    public static Gateway of(GatewayStore store, Optional<SharedCacheTier> shared, Optional<RateLimiters> limiters,
                             StorageConfig config, Clock clock) {
        return of(store, shared, limiters, Optional.empty(), Optional::empty, config, clock);
    }

    /**
     * As above, with budgets over {@code counter} (Redis) raising alerts through {@code alerts}, looked up at each
     * alert (Kafka opens after Redis); without an alert sink they are logged at WARN.
     *
     * @throws ConfigException when {@code GATEWAY_BUDGET_ALERTS} is not a list of percentages
     */
    public static Gateway of(GatewayStore store, Optional<SharedCacheTier> shared, Optional<RateLimiters> limiters,
                             Optional<BudgetCounter> counter, Supplier<Optional<BudgetAlerts>> alerts,
                             StorageConfig config, Clock clock) {
        Objects.requireNonNull(store, "store");
        CacheSpec keySpec = config.cache("api_key", API_KEY_CACHE_SIZE, API_KEY_CACHE_TTL);
        CacheSpec modelSpec = config.cache("model", MODEL_CACHE_SIZE, MODEL_CACHE_TTL);
        ApiKeyHasher hasher = ApiKeyHasher.of(config.settings().secret(GatewaySettings.GATEWAY_API_KEY_PEPPER));
        TieredCache<ApiKey> keyCache = new TieredCache<>(LocalLookupCache.create(keySpec), shared, ApiKey.class,
                store.apiKeys()::findByHash);
        TieredCache<Model> modelCache = new TieredCache<>(LocalLookupCache.create(modelSpec), shared, Model.class,
                store.models()::findByNameOrAlias);
        Models models = new Models(store.models(), modelCache, PriceCatalog.bundled(),
                shared.map(SharedCacheTier::invalidationBound).orElse(modelSpec.ttl()));
        Duration bound = shared.map(SharedCacheTier::invalidationBound).orElse(keySpec.ttl());
        ApiKeys keys = new ApiKeys(store.apiKeys(), hasher, keyCache, models, limiters, bound, clock);
        shared.ifPresent(tier -> tier.subscribe((cache, key) -> {
            if (cache.equals(keySpec.name())) {
                keyCache.invalidateLocal(key);
            } else if (cache.equals(modelSpec.name())) {
                models.onInvalidation(key);
            }
        }));
        List<Integer> percents;
        try {
            percents = GatewayBudgets.parsePercents(config.settings().string(GatewaySettings.GATEWAY_BUDGET_ALERTS)
                    .orElse("80,95"));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        BudgetAlerts logged = alert -> log.warn("budget alert (no Kafka configured for llm-alerts): {}", alert.toJson());
        Optional<Budgets> budgets = counter.map(c -> new GatewayBudgets(c, store.records(), models, percents,
                () -> alerts.get().orElse(logged), clock));
        return new Gateway(store, keys, models, budgets);
    }

    /**
     * Dollar budgets per key and month, decided in Redis across every instance.
     *
     * @throws NotConfiguredException naming {@code REDIS_URL} when Redis is not configured
     */
    public Budgets budgets() {
        return budgets.orElseThrow(() -> BUDGETS.notConfigured(List.of("postgres")));
    }

    /** API keys: create, look up (cached), validate, list, disable, revoke. */
    public ApiKeys apiKeys() {
        return apiKeys;
    }

    /** Providers and models: register, look up by name or alias (cached), search, prices, costs. */
    public Models models() {
        return models;
    }

    /** Per-request usage records and their totals per key. */
    public UsageRecords records() {
        return store.records();
    }

    /** Monthly summaries per key, refreshed on demand. */
    public MonthlySummaries summaries() {
        return store.summaries();
    }

    /**
     * Runs {@code work} in one database transaction over the uncached stores (records, summaries, key metadata,
     * models); commits when it returns, rolls back when it throws and rethrows. Keys disabled or revoked inside are
     * dropped from the caches after the commit.
     */
    public <T> T inTransaction(Function<GatewayStore, T> work) {
        Objects.requireNonNull(work, "work");
        List<String> changedHashes = new ArrayList<>();
        T result = store.inTransaction(tx -> work.apply(new RecordingStore(tx, changedHashes)));
        changedHashes.forEach(apiKeys::invalidate);
        return result;
    }

    /** Both tiers' counters of both caches, named {@code api_key}, {@code api_key.redis}, {@code model}, ... */
    public Map<String, CacheStats> cacheStats() {
        Map<String, CacheStats> stats = new LinkedHashMap<>();
        var k = apiKeys.cacheStats();
        var m = models.cacheStats();
        stats.put(k.name(), new CacheStats(k.hits(), k.misses(), k.errors()));
        stats.put(k.name() + ".redis", apiKeys.sharedCacheStats());
        stats.put(m.name(), new CacheStats(m.hits(), m.misses(), m.errors()));
        stats.put(m.name() + ".redis", models.sharedCacheStats());
        return stats;
    }
}
