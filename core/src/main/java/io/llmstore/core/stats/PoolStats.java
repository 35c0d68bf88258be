package io.llmstore.core.stats;

import io.llmstore.core.buffer.BufferedWriter;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code StoragePool.stats()} returns: the PostgreSQL pool, every cache, the rate limiters' backend errors, and
 * every buffered writer with its spool.
 *
 * @param postgres     the connection pool, empty when PostgreSQL is not configured
 * @param caches       per cache name
 * @param rateLimiters failed decisions and settlements of the Redis limiters; empty without Redis (the in-process
 *                     limiters have no backend to fail)
 * @param buffers      each buffered writer's counters, by what it writes: {@code usage}, {@code operation},
 *                     {@code span}, {@code gateway-usage} (with PostgreSQL)
 * @param spools       each spool, by the same names plus {@code events} (the Kafka publisher's); only the writers
 *                     that have one ({@code SPOOL_DIR} set)
 */
public record PoolStats(Optional<ConnectionPoolStats> postgres, Map<String, CacheStats> caches,
                        Optional<RateLimiterStats> rateLimiters, Map<String, BufferedWriter.Stats> buffers,
                        Map<String, BufferedWriter.SpoolStats> spools) {
    public PoolStats {
        postgres = postgres == null ? Optional.empty() : postgres;
        caches = Map.copyOf(caches);
        rateLimiters = rateLimiters == null ? Optional.empty() : rateLimiters;
        buffers = buffers == null ? Map.of() : Map.copyOf(buffers);
        spools = spools == null ? Map.of() : Map.copyOf(spools);
    }

    /** Stats without buffered writers (the form before they were added). */
    public PoolStats(Optional<ConnectionPoolStats> postgres, Map<String, CacheStats> caches,
                     Optional<RateLimiterStats> rateLimiters) {
        this(postgres, caches, rateLimiters, Map.of(), Map.of());
    }

    /** Stats without rate limiter counters and buffered writers (the form before they were added). */
    public PoolStats(Optional<ConnectionPoolStats> postgres, Map<String, CacheStats> caches) {
        this(postgres, caches, Optional.empty());
    }
}
