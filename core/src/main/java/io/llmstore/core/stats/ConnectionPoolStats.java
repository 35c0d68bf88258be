package io.llmstore.core.stats;

/**
 * A snapshot of the PostgreSQL connection pool.
 *
 * @param active         connections in use
 * @param idle           connections open and free
 * @param total          connections open
 * @param max            the pool's maximum
 * @param threadsWaiting callers waiting for a connection
 */
public record ConnectionPoolStats(int active, int idle, int total, int max, int threadsWaiting) {
    /** Active connections as a percentage of the maximum, 0..100. */
    public double utilizationPercent() {
        return max == 0 ? 0.0 : 100.0 * active / max;
    }

    /** True above 80 % utilization: time to raise {@code DB_POOL_MAX_CONNECTIONS} or find a leak. */
    public boolean isNearCapacity() {
        return utilizationPercent() > 80.0;
    }
}
