package io.llmstore.core.spi;

import io.llmstore.core.buffer.BufferedWriter;
import io.llmstore.core.health.HealthCheck;
import io.llmstore.core.stats.CacheStats;
import io.llmstore.core.stats.ConnectionPoolStats;
import io.llmstore.core.stats.RateLimiterStats;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An open backend: the ports it serves, its raw clients, its health checks and stats. It owns what it created
 * and closes only that.
 */
public interface Backend extends AutoCloseable {
    /** The provider's name. */
    String name();

    /**
     * The port or client of this type, if this backend serves it: core ports ({@code UsageWriter},
     * {@code ResponseCache}, ...) and raw clients ({@code DataSource}, {@code DSLContext}, {@code RedisClient},
     * {@code Producer}, {@code Admin}).
     */
    <T> Optional<T> find(Class<T> type);

    /** Checks for the health report. */
    List<HealthCheck> healthChecks();

    /** The connection pool's snapshot, for backends that pool connections. */
    default Optional<ConnectionPoolStats> connectionPoolStats() {
        return Optional.empty();
    }

    /** Per-cache counters, for backends that cache. */
    default Map<String, CacheStats> cacheStats() {
        return Map.of();
    }

    /** The rate limiters' backend failure counters, for backends that serve rate limiters. */
    default Optional<RateLimiterStats> rateLimiterStats() {
        return Optional.empty();
    }

    /** Each buffered writer's counters, by what it writes ({@code usage}, {@code span}, ...), for backends that buffer. */
    default Map<String, BufferedWriter.Stats> bufferStats() {
        return Map.of();
    }

    /** Each spool, by the name of its directory under {@code SPOOL_DIR}; only writers that have one. */
    default Map<String, BufferedWriter.SpoolStats> spoolStats() {
        return Map.of();
    }

    /** Writes out everything buffered. Called before {@link #close()} and on {@code StoragePool.flush()}. */
    default void flush() {
    }

    /** Flushes, then releases what this backend created; idempotent, bounded in time. */
    @Override
    void close();
}
