package io.llmstore.core.stats;

/**
 * Counters of one cache since it was created.
 *
 * @param hits   lookups answered from the cache
 * @param misses lookups that found nothing
 * @param errors lookups or writes that failed (the cache failed open)
 */
public record CacheStats(long hits, long misses, long errors) {
    /** hits / (hits + misses), 0 when nothing was looked up. */
    public double hitRate() {
        long lookups = hits + misses;
        return lookups == 0 ? 0.0 : (double) hits / lookups;
    }
}
