package io.llmstore.core.gateway.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.llmstore.core.cache.LocalLookupCache;
import io.llmstore.core.cache.LookupCacheStats;
import io.llmstore.core.error.StorageException;
import io.llmstore.core.gateway.SharedCacheTier;
import io.llmstore.core.stats.CacheStats;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cache-aside over two tiers: the JVM's {@link LocalLookupCache}, then the shared tier (Redis) when there is one,
 * then the loader (the database). A shared-tier failure falls through to the loader and is counted, never thrown.
 * Thread-safe.
 *
 * @param <V> an immutable value Jackson can write and read (a record)
 */
public final class TieredCache<V> {
    private static final Logger log = LoggerFactory.getLogger(TieredCache.class);
    static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private final LocalLookupCache<String, V> local;
    private final Optional<SharedCacheTier> shared;
    private final Class<V> type;
    private final Function<String, Optional<V>> loader;
    /** Built once: a lambda per lookup would allocate on the hit path, which runs millions of times a second. */
    private final Function<String, V> loadBelow = this::loadShared;
    private final LongAdder sharedHits = new LongAdder();
    private final LongAdder sharedMisses = new LongAdder();
    private final LongAdder sharedErrors = new LongAdder();

    /** @param loader reads the database; empty when it has no value for the key */
    public TieredCache(LocalLookupCache<String, V> local, Optional<SharedCacheTier> shared, Class<V> type,
                       Function<String, Optional<V>> loader) {
        this.local = local;
        this.shared = shared;
        this.type = type;
        this.loader = loader;
    }

    /** The cached value, else the shared tier's, else the loader's (then stored in both); null when none has it. */
    public V get(String key) {
        return local.get(key, loadBelow);
    }

    private V loadShared(String key) {
        String name = local.spec().name();
        if (shared.isPresent()) {
            try {
                Optional<String> json = shared.get().get(name, key);
                if (json.isPresent()) {
                    sharedHits.increment();
                    return JSON.readValue(json.get(), type);
                }
                sharedMisses.increment();
            } catch (StorageException | IOException e) {
                sharedErrors.increment();
                log.debug("shared {} cache unreadable, reading the database: {}", name, e.toString());
            }
        }
        V loaded = loader.apply(key).orElse(null);
        if (loaded != null && shared.isPresent()) {
            try {
                shared.get().put(name, key, JSON.writeValueAsString(loaded), local.spec().ttl());
            } catch (StorageException | IOException e) {
                sharedErrors.increment();
            }
        }
        return loaded;
    }

    /**
     * Drops {@code key} here, in the shared tier, and (through the tier's channel) in every other instance. Without a
     * shared tier, other instances keep their entry until its TTL ends.
     *
     * @throws StorageException when the shared tier cannot be told (this instance's entry is dropped already)
     */
    public void invalidate(String key) {
        invalidateLocal(key);
        shared.ifPresent(s -> s.invalidate(local.spec().name(), key));
    }

    /** Drops {@code key} ({@code *}: every entry) from this JVM only: what an invalidation message from another instance does. */
    public void invalidateLocal(String key) {
        if ("*".equals(key)) {
            local.invalidateAll();
        } else {
            local.invalidate(key);
        }
    }

    public String name() {
        return local.spec().name();
    }

    /** The local tier's counters. */
    public LookupCacheStats localStats() {
        return local.detailedStats();
    }

    /** Shared-tier hits, misses and errors of the lookups the local tier missed. */
    public CacheStats sharedStats() {
        return new CacheStats(sharedHits.sum(), sharedMisses.sum(), sharedErrors.sum());
    }
}
