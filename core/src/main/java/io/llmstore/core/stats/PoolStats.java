package io.llmstore.core.stats;

import java.util.Map;
import java.util.Optional;

/**
 * What {@code StoragePool.stats()} returns: the PostgreSQL pool, every cache and the rate limiters' backend errors.
 *
 * @param postgres     the connection pool, empty when PostgreSQL is not configured
 * @param caches       per cache name
 * @param rateLimiters failed decisions and settlements of the Redis limiters; empty without Redis (the in-process
 *                     limiters have no backend to fail)
 */
public record PoolStats(Optional<ConnectionPoolStats> postgres, Map<String, CacheStats> caches,
                        Optional<RateLimiterStats> rateLimiters) {
    public PoolStats {
        postgres = postgres == null ? Optional.empty() : postgres;
        caches = Map.copyOf(caches);
        rateLimiters = rateLimiters == null ? Optional.empty() : rateLimiters;
    }

    /** Stats without rate limiter counters (the form before they were added). */
    public PoolStats(Optional<ConnectionPoolStats> postgres, Map<String, CacheStats> caches) {
        this(postgres, caches, Optional.empty());
    }
}
