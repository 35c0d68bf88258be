package io.llmstore.core.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import io.llmstore.core.internal.ClockCaches;
import io.llmstore.core.config.CacheSpec;
import io.llmstore.core.stats.CacheStats;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * An in-process cache for hot lookups an LLM gateway makes on every request (API key to tenant, model name to
 * model row), so they cost a hash lookup instead of a database round trip. A thin wrapper over Caffeine, sized by
 * {@code CACHE_<NAME>_SIZE} and expiring entries {@code CACHE_<NAME>_TTL} after they were written:
 *
 * <pre>{@code
 * LocalLookupCache<String, ApiKey> keys =
 *         LocalLookupCache.create(config.cache("api_key", 10_000, Duration.ofMinutes(5)));
 * ApiKey key = keys.get(presentedKey, repository::findApiKey); // loads once per key and TTL
 * }</pre>
 *
 * <p>This cache lives in one JVM: an entry changed elsewhere stays visible here until its TTL ends or
 * {@link #invalidate} is called, so keep the TTL as short as a stale entry may live (revoking an API key takes
 * effect within one TTL).
 *
 * <p>Thread-safe; lookups do not block each other. A loader runs at most once at a time per key; concurrent callers
 * of the same key wait for it. Holds no thread or socket, so there is nothing to close.
 *
 * @param <K> key type; keys must not be null and need stable {@code equals}/{@code hashCode}
 * @param <V> value type; null values are never cached
 */
public final class LocalLookupCache<K, V> {
    private final CacheSpec spec;
    private final ConcurrentMap<K, V> map;
    // Counted here rather than by Caffeine's recordStats: Caffeine counts a null load (an unknown key, a normal
    // answer) as a failure, and its get(key, loader) would need a new wrapping lambda on every hit.
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder evictions = new LongAdder();
    private final LongAdder expirations = new LongAdder();

    private LocalLookupCache(CacheSpec spec, Ticker ticker) {
        this.spec = spec;
        // Maintenance (eviction, expiry clean-up) runs on the writing thread instead of the common pool, so the size
        // bound and the eviction counters hold when put/get returns; it is amortised and only writes pay for it.
        // evictionListener counts automatic removals; explicit invalidations are neither evictions nor expirations.
        Cache<K, V> cache = Caffeine.newBuilder()
                .executor(Runnable::run)
                .maximumSize(spec.maximumSize())
                .expireAfterWrite(spec.ttl())
                .ticker(ticker)
                .<K, V>evictionListener((k, v, cause) -> {
                    if (cause == RemovalCause.EXPIRED) {
                        expirations.increment();
                    } else if (cause == RemovalCause.SIZE) {
                        evictions.increment();
                    }
                })
                .build();
        this.map = cache.asMap();
    }

    /**
     * A cache of {@code spec.maximumSize()} entries (0 keeps nothing) expiring {@code spec.ttl()} after write, on the
     * system's monotonic clock. Obtain the spec from {@code StorageConfig.cache(name, defaultSize, defaultTtl)}.
     *
     * @throws NullPointerException when {@code spec} is null
     */
    public static <K, V> LocalLookupCache<K, V> create(CacheSpec spec) {
        return new LocalLookupCache<>(Objects.requireNonNull(spec, "spec"), Ticker.systemTicker());
    }

    /**
     * As {@link #create(CacheSpec)}, with expiry measured on {@code clock} (tests move a clock instead of sleeping).
     * The system ticker of {@link #create(CacheSpec)} is cheaper per lookup; use this only when time must be
     * controlled.
     *
     * @throws NullPointerException when {@code spec} or {@code clock} is null
     */
    public static <K, V> LocalLookupCache<K, V> create(CacheSpec spec, Clock clock) {
        Objects.requireNonNull(clock, "clock");
        // Caffeine wants nanoseconds on a monotonic scale; the clock's epoch nanoseconds serve while it does not go back.
        return new LocalLookupCache<>(Objects.requireNonNull(spec, "spec"), ClockCaches.ticker(clock));
    }

    /**
     * The cached value of {@code key}, or the loader's value, cached then. A loader result of null is returned and not
     * cached (so a missing API key is looked up again next time). An exception from the loader reaches the caller,
     * caches nothing and counts as an error in {@link #stats()}.
     *
     * @throws NullPointerException when {@code key} or {@code loader} is null
     */
    public V get(K key, Function<? super K, ? extends V> loader) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(loader, "loader");
        V cached = map.get(key);
        if (cached != null) {
            hits.increment();
            return cached;
        }
        misses.increment();
        return map.computeIfAbsent(key, k -> {
            try {
                return loader.apply(k);
            } catch (RuntimeException | Error e) {
                errors.increment();
                throw e;
            }
        });
    }

    /** The cached value of {@code key}, empty when absent or expired; counts a hit or a miss. */
    public Optional<V> getIfPresent(K key) {
        V cached = map.get(Objects.requireNonNull(key, "key"));
        (cached != null ? hits : misses).increment();
        return Optional.ofNullable(cached);
    }

    /** Caches {@code value} for {@code key} for one TTL, replacing any value. */
    public void put(K key, V value) {
        map.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
    }

    /** Drops {@code key}, so the next {@link #get} loads it again (e.g. after a key is revoked). */
    public void invalidate(K key) {
        map.remove(Objects.requireNonNull(key, "key"));
    }

    /** Drops every entry. */
    public void invalidateAll() {
        map.clear();
    }

    /** About how many entries are held now (eviction is amortised, so briefly above the size is possible). */
    public long estimatedSize() {
        return map.size();
    }

    /** The size and TTL in force. */
    public CacheSpec spec() {
        return spec;
    }

    /** Hits, misses, and loader failures as errors, since creation. */
    public CacheStats stats() {
        return new CacheStats(hits.sum(), misses.sum(), errors.sum());
    }

    /**
     * Size, capacity and every counter since creation. Expired entries are never returned; Caffeine removes them
     * during the maintenance it amortises over reads and writes (no cleanup thread), and counts them then, so
     * {@code expirations} lags an idle cache.
     */
    public LookupCacheStats detailedStats() {
        return new LookupCacheStats(spec.name(), map.size(), spec.maximumSize(), hits.sum(), misses.sum(),
                errors.sum(), evictions.sum(), expirations.sum());
    }

    /** The spec and counters, e.g. {@code api_key(size=10000, ttl=5m) hits=42 misses=3}. */
    @Override
    public String toString() {
        CacheStats s = stats();
        return spec + " hits=" + s.hits() + " misses=" + s.misses() + " errors=" + s.errors();
    }
}
