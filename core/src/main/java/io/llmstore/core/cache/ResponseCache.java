package io.llmstore.core.cache;

import io.llmstore.core.stats.CacheStats;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Caches LLM responses by model and prompt, so the same prompt is paid for once. Entries are keyed by the model and
 * the SHA-256 of the prompt ({@link PromptKeys}); prompts and responses are stored verbatim (any Unicode, newlines,
 * text that looks like code).
 *
 * <p>Fails open: when the cache backend is unavailable (or slower than its command timeout) lookups miss,
 * writes are dropped, {@link #getOrCompute} still calls the LLM and returns its answer, and
 * {@link #stats()} counts an error. Only the supplier's own exceptions reach the caller. Thread-safe.
 */
public interface ResponseCache {
    /**
     * The cached response for this model and prompt, empty on a miss (or when the backend is unavailable).
     *
     * @throws IllegalArgumentException when {@code model} is blank or {@code prompt} is null
     */
    Optional<String> get(String model, String prompt);

    /** Caches a response for the default TTL ({@code CACHE_LLM_RESPONSE_TTL}, 1h). */
    default void put(String model, String prompt, String response) {
        put(model, prompt, response, defaultTtl());
    }

    /**
     * Caches a response for {@code ttl}, replacing any previous one.
     *
     * @param ttl {@code > 0}, whole milliseconds are used
     */
    void put(String model, String prompt, String response, Duration ttl);

    /** {@link #getOrCompute(String, String, Duration, Supplier)} with the default TTL. */
    default String getOrCompute(String model, String prompt, Supplier<String> llmCall) {
        return getOrCompute(model, prompt, defaultTtl(), llmCall);
    }

    /**
     * The cached response, or the result of {@code llmCall} (then cached for {@code ttl}). On a miss only one caller
     * per key computes at a time (across every application instance sharing the backend); the others wait a bounded
     * time for its result, then compute themselves. An exception from {@code llmCall} propagates to the caller that
     * ran it (and to those in this JVM waiting on it) and nothing is cached; {@code llmCall} must not return null.
     */
    String getOrCompute(String model, String prompt, Duration ttl, Supplier<String> llmCall);

    /** The TTL used when none is given. */
    Duration defaultTtl();

    /** Hits, misses, errors since this cache was created. */
    CacheStats stats();
}
