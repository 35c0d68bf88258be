package io.llmstore.core.cache;

/**
 * Counters of one {@link LocalLookupCache} since it was created.
 *
 * @param name        the cache name, e.g. {@code api_key}
 * @param size        entries held now (approximate: eviction is amortised)
 * @param capacity    most entries ({@code CACHE_<NAME>_SIZE})
 * @param hits        lookups answered from the cache
 * @param misses      lookups that found nothing
 * @param errors      loads that failed
 * @param evictions   entries dropped because the cache was full
 * @param expirations entries dropped because their TTL ended
 */
public record LookupCacheStats(String name, long size, long capacity, long hits, long misses, long errors,
                               long evictions, long expirations) {
    /** hits / (hits + misses), 0 when nothing was looked up. */
    public double hitRate() {
        long lookups = hits + misses;
        return lookups == 0 ? 0.0 : (double) hits / lookups;
    }
}
