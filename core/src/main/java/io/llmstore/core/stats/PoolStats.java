package io.llmstore.core.stats;

import java.util.Map;
import java.util.Optional;

/**
 * What {@code StoragePool.stats()} returns: the PostgreSQL pool and every cache.
 *
 * @param postgres the connection pool, empty when PostgreSQL is not configured
 * @param caches   per cache name
 */
public record PoolStats(Optional<ConnectionPoolStats> postgres, Map<String, CacheStats> caches) {
    public PoolStats {
        postgres = postgres == null ? Optional.empty() : postgres;
        caches = Map.copyOf(caches);
    }
}
