package io.llmstore.core.gateway;

import io.llmstore.core.cache.LookupCacheStats;
import io.llmstore.core.gateway.internal.TieredCache;
import io.llmstore.core.ratelimit.Decision;
import io.llmstore.core.ratelimit.RateLimit;
import io.llmstore.core.ratelimit.RateLimiter;
import io.llmstore.core.ratelimit.RateLimiters;
import io.llmstore.core.stats.CacheStats;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * API keys of the gateway: {@code pool.gateway().apiKeys()}. Only a key's {@link ApiKeyHasher hash} is stored; the raw
 * key a caller presents is hashed on every lookup and appears in no table, log, {@code toString} or exception message.
 *
 * <p>Lookups by hash or raw key are cache-aside: the local tier ({@code CACHE_API_KEY_SIZE} 1000 entries,
 * {@code CACHE_API_KEY_TTL} 5m), then Redis when configured, then the database. Writes (disable, revoke) update the
 * database first, then drop the key from both tiers and publish an invalidation every instance applies within
 * {@link #invalidationBound()}; without Redis, other instances see the change when their entry expires (one TTL).
 * Unknown keys are not cached, so each unknown presented key costs one indexed database lookup.
 *
 * <p>Thread-safe.
 */
public final class ApiKeys {
    private final ApiKeyStore store;
    private final ApiKeyHasher hasher;
    private final TieredCache<ApiKey> cache;
    private final Models models;
    private final Optional<RateLimiters> limiters;
    private final Duration invalidationBound;
    private final Clock clock;
    private final Map<Integer, RateLimiter> limiterByRate = new ConcurrentHashMap<>();

    ApiKeys(ApiKeyStore store, ApiKeyHasher hasher, TieredCache<ApiKey> cache, Models models,
            Optional<RateLimiters> limiters, Duration invalidationBound, Clock clock) {
        this.store = store;
        this.hasher = hasher;
        this.cache = cache;
        this.models = models;
        this.limiters = limiters;
        this.invalidationBound = invalidationBound;
        this.clock = clock;
    }

    /**
     * Stores a new key for {@code rawKey} (which the caller generated and hands to its user; it is not kept).
     *
     * @throws IllegalArgumentException when the raw key is shorter than {@link ApiKeyHasher#MIN_RAW_KEY_LENGTH}
     *                                  characters or holds a control character (the message never holds the key)
     * @throws io.llmstore.core.error.QueryException a data error when the same raw key is already stored
     */
    public ApiKey create(String rawKey, ApiKeySpec spec) {
        Objects.requireNonNull(spec, "spec");
        return store.insert(hasher.hash(rawKey), spec);
    }

    /** The stored form of {@code rawKey} (for {@link #getByHash} and {@link #invalidate}). */
    public String hash(String rawKey) {
        return hasher.hash(rawKey);
    }

    /**
     * The key a caller presented, cached.
     *
     * @throws ApiKeyNotFoundException when no key matches; the message holds no part of the raw key
     */
    public ApiKey getByRawKey(String rawKey) {
        return findByRawKey(rawKey).orElseThrow(() -> new ApiKeyNotFoundException("no API key matches the key presented"));
    }

    /** The key a caller presented, cached; empty when unknown (also when the raw key is malformed). */
    public Optional<ApiKey> findByRawKey(String rawKey) {
        String hash;
        try {
            hash = hasher.hash(rawKey);
        } catch (IllegalArgumentException malformed) {
            return Optional.empty(); // too short or with control characters: no stored key can match
        }
        return findByHash(hash);
    }

    /**
     * The key stored under {@code keyHash}, cached.
     *
     * @throws ApiKeyNotFoundException when none, naming the first 8 hex digits of the hash
     */
    public ApiKey getByHash(String keyHash) {
        return findByHash(keyHash).orElseThrow(() -> new ApiKeyNotFoundException(
                "no API key has hash " + abbreviate(keyHash)));
    }

    /** The key stored under {@code keyHash}, cached; the hash found is compared with the one asked in constant time. */
    public Optional<ApiKey> findByHash(String keyHash) {
        Objects.requireNonNull(keyHash, "keyHash");
        ApiKey key = cache.get(keyHash);
        return key != null && ApiKeyHasher.equalHashes(key.keyHash(), keyHash) ? Optional.of(key) : Optional.empty();
    }

    /**
     * The key with {@code id}, from the database (ids are an administrator's handle, not a request's).
     *
     * @throws ApiKeyNotFoundException when none
     */
    public ApiKey get(long id) {
        return store.findById(id).orElseThrow(() -> notFound(id));
    }

    /** True when the presented key exists and is enabled, not revoked and not expired now. */
    public boolean isValid(String rawKey) {
        return findByRawKey(rawKey).map(k -> k.isValidAt(clock.instant())).orElse(false);
    }

    /** True when {@code key} is enabled, not revoked and not expired now. */
    public boolean isValid(ApiKey key) {
        return key.isValidAt(clock.instant());
    }

    /**
     * True when {@code key} may call {@code model}: its list is empty (every model), or holds the model's name or
     * one of its aliases, whichever the key and the request use (ignoring case).
     */
    public boolean allowsModel(ApiKey key, String model) {
        Objects.requireNonNull(model, "model");
        List<String> allowed = key.allowedModels();
        if (allowed.isEmpty() || allowed.stream().anyMatch(model::equalsIgnoreCase)) {
            return true;
        }
        Optional<Model> resolved = models.find(model);
        return resolved.isPresent() && allowed.stream().anyMatch(a -> resolved.get().isCalled(a));
    }

    /**
     * Takes one request from the key's per-minute limit through {@code pool.limits()} (Redis when configured, exact
     * across instances); allowed when the key has no limit.
     */
    public Decision tryAcquire(ApiKey key) {
        if (key.rateLimitPerMinute() == null) {
            return Decision.allowed("none", Long.MAX_VALUE);
        }
        RateLimiters available = limiters.orElseThrow(() -> new IllegalStateException(
                "no rate limiter backend is open for rateLimitPerMinute"));
        RateLimiter limiter = limiterByRate.computeIfAbsent(key.rateLimitPerMinute(), perMinute ->
                available.limiter(RateLimit.of("api_key_per_minute", perMinute, Duration.ofMinutes(1))));
        return limiter.tryAcquire("api_key:" + key.id());
    }

    /** Sets the key's {@code category}/{@code name} metadata, e.g. {@code setMetadata(id, "tag", "environment", "production")}. */
    public void setMetadata(long id, String category, String name, String value) {
        ModelSpec.checkName("category", category);
        ModelSpec.checkName("name", name);
        Objects.requireNonNull(value, "value");
        if (!store.setMetadata(id, category, name, value)) {
            throw notFound(id);
        }
    }

    /** The key's metadata of {@code category}, by name; empty when none. */
    public Map<String, String> metadata(long id, String category) {
        return store.metadata(id, category);
    }

    /**
     * Up to {@code limit} keys with ids above {@code afterId} (0 for the first page), by id: keyset paging, as
     * fast on page 1000 as on page 1. Pass the last id of a page to get the next.
     */
    public List<ApiKey> list(long afterId, int limit) {
        return store.listAfter(afterId, checkLimit(limit));
    }

    /** The guide's limit/offset paging, by id; the database skips {@code offset} rows, so deep pages cost more. */
    public List<ApiKey> listPage(int limit, long offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be >= 0, was " + offset);
        }
        return store.listPage(checkLimit(limit), offset);
    }

    /** Disables the key (reversible with {@link #enable}); every instance refuses it within {@link #invalidationBound()}. */
    public ApiKey disable(long id) {
        return invalidated(store.setEnabled(id, false).orElseThrow(() -> notFound(id)));
    }

    /** Enables a disabled key again; a revoked key stays refused. */
    public ApiKey enable(long id) {
        return invalidated(store.setEnabled(id, true).orElseThrow(() -> notFound(id)));
    }

    /** Revokes the key for good; every instance refuses it within {@link #invalidationBound()}. */
    public ApiKey revoke(long id) {
        return invalidated(store.revoke(id, clock.instant()).orElseThrow(() -> notFound(id)));
    }

    /** Drops the key stored under {@code keyHash} from both cache tiers on every instance. */
    public void invalidate(String keyHash) {
        cache.invalidate(Objects.requireNonNull(keyHash, "keyHash"));
    }

    /**
     * How long after a write another instance may still answer from its local tier: the Redis tier's bound when
     * Redis is configured, else {@code CACHE_API_KEY_TTL}.
     */
    public Duration invalidationBound() {
        return invalidationBound;
    }

    /** Counters of the local tier (size, capacity, hits, misses, evictions, expirations). */
    public LookupCacheStats cacheStats() {
        return cache.localStats();
    }

    /** Hits, misses and errors of the shared (Redis) tier; zeros without Redis. */
    public CacheStats sharedCacheStats() {
        return cache.sharedStats();
    }

    private ApiKey invalidated(ApiKey changed) {
        invalidate(changed.keyHash());
        return changed;
    }

    private static int checkLimit(int limit) {
        if (limit < 1 || limit > 10_000) {
            throw new IllegalArgumentException("limit must be 1..10000, was " + limit);
        }
        return limit;
    }

    private static ApiKeyNotFoundException notFound(long id) {
        return new ApiKeyNotFoundException("no API key has id " + id);
    }

    private static String abbreviate(String hash) {
        return hash.length() > 8 ? hash.substring(0, 8) + "..." : hash;
    }

    @Override
    public String toString() {
        return "ApiKeys{" + hasher + ", cache=" + cache.localStats() + "}";
    }
}
