package io.llmstore.core.cache;

import io.llmstore.core.stats.CacheStats;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Caches LLM responses by model and prompt, so the same prompt is paid for once. Fails open: when the cache
 * backend is unavailable, lookups miss and {@link #getOrCompute} still calls the LLM.
 */
public interface ResponseCache {
    /** The cached response for this model and prompt, empty on a miss. */
    Optional<String> get(String model, String prompt);

    /** Caches a response for {@code ttl}. */
    void put(String model, String prompt, String response, Duration ttl);

    /**
     * The cached response, or the result of {@code llmCall} (then cached for {@code ttl}). On a miss only one caller
     * per key computes at a time; the others wait a bounded time for its result.
     */
    String getOrCompute(String model, String prompt, Duration ttl, Supplier<String> llmCall);

    /** Hits, misses, errors. */
    CacheStats stats();
}
