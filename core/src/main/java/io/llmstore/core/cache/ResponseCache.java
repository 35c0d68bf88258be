package io.llmstore.core.cache;

import io.llmstore.core.spi.BackendDescriptor;
import io.llmstore.core.spi.Feature;
import io.llmstore.core.stats.CacheStats;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Caches LLM responses by model and prompt, so the same prompt is paid for once. Entries are keyed by the model and
 * the SHA-256 of the prompt ({@link PromptKeys}); prompts and responses are stored verbatim (any Unicode, newlines,
 * text that looks like code).
 *
 * <p>A response is a byte string: the {@code *Bytes} methods store and return it exactly (any bytes, including
 * 0x00 and sequences that are not UTF-8, e.g. a serialised or compressed response). The {@code String} methods are
 * the same entries seen as UTF-8 text: a response put as a String reads back through {@link #getBytes} as its UTF-8
 * bytes, and bytes put through {@link #putBytes} read back through {@link #get} decoded as UTF-8 (malformed
 * sequences become U+FFFD). Arrays are copied in and out: the cache never keeps an array it was given, and every
 * array it returns is a fresh one the caller owns.
 *
 * <p>Fails open: when the cache backend is unavailable (or slower than its command timeout) lookups miss,
 * writes are dropped, {@link #getOrCompute} / {@link #getOrComputeBytes} still call the LLM and return its answer,
 * and {@link #stats()} counts an error. Only the supplier's own exceptions reach the caller. Thread-safe.
 */
public interface ResponseCache {
    /** The feature's descriptor: Redis, else the in-process fallback. */
    Feature<ResponseCache> FEATURE = Feature.of("the response cache", ResponseCache.class,
            BackendDescriptor.REDIS);

    /**
     * The cached response for this model and prompt, exactly the bytes stored; empty on a miss (or when the backend
     * is unavailable). The array is a fresh copy.
     *
     * @throws IllegalArgumentException when {@code model} is blank or {@code prompt} is null
     */
    Optional<byte[]> getBytes(String model, String prompt);

    /**
     * Caches {@code response}'s bytes for {@code ttl}, replacing any previous response (String or bytes) for this
     * model and prompt. The array is copied; changing it afterwards does not change the entry.
     *
     * @param ttl {@code > 0}, whole milliseconds are used
     * @throws IllegalArgumentException when {@code model} is blank, {@code prompt} is null or {@code ttl} is under 1ms
     * @throws NullPointerException     when {@code response} is null
     */
    void putBytes(String model, String prompt, byte[] response, Duration ttl);

    /**
     * The cached response's bytes, or those {@code llmCall} returns (then cached for {@code ttl}), with the
     * single-flight and fail-open behaviour of {@link #getOrCompute(String, String, Duration, Supplier)}: on a miss
     * only one caller per key computes at a time (across every application instance sharing the backend), the
     * others wait a bounded time for its result, then compute themselves. An exception from {@code llmCall}
     * propagates to the caller that ran it (and to those in this JVM waiting on it) and nothing is cached;
     * {@code llmCall} must not return null. The array {@code llmCall} returns is not kept; each caller gets its own
     * copy.
     *
     * @throws IllegalArgumentException when {@code model} is blank, {@code prompt} is null or {@code ttl} is under 1ms
     * @throws NullPointerException     when {@code llmCall} is null or returns null
     */
    byte[] getOrComputeBytes(String model, String prompt, Duration ttl, Supplier<byte[]> llmCall);

    /**
     * The cached response for this model and prompt, decoded as UTF-8; empty on a miss (or when the backend is
     * unavailable).
     *
     * @throws IllegalArgumentException when {@code model} is blank or {@code prompt} is null
     */
    default Optional<String> get(String model, String prompt) {
        return getBytes(model, prompt).map(bytes -> new String(bytes, StandardCharsets.UTF_8));
    }

    /** Caches a response for the default TTL ({@code CACHE_LLM_RESPONSE_TTL}, 1h). */
    default void put(String model, String prompt, String response) {
        put(model, prompt, response, defaultTtl());
    }

    /**
     * Caches a response's UTF-8 bytes for {@code ttl}, replacing any previous one.
     *
     * @param ttl {@code > 0}, whole milliseconds are used
     * @throws NullPointerException     when {@code response} is null
     * @throws IllegalArgumentException when {@code response} holds an unpaired UTF-16 surrogate (UTF-8 cannot carry
     *                                  it; the cache stores responses verbatim or not at all)
     */
    default void put(String model, String prompt, String response, Duration ttl) {
        putBytes(model, prompt, PromptKeys.utf8("response", Objects.requireNonNull(response, "response")), ttl);
    }

    /** {@link #getOrCompute(String, String, Duration, Supplier)} with the default TTL. */
    default String getOrCompute(String model, String prompt, Supplier<String> llmCall) {
        return getOrCompute(model, prompt, defaultTtl(), llmCall);
    }

    /** {@link #getOrComputeBytes(String, String, Duration, Supplier)} with the default TTL. */
    default byte[] getOrComputeBytes(String model, String prompt, Supplier<byte[]> llmCall) {
        return getOrComputeBytes(model, prompt, defaultTtl(), llmCall);
    }

    /**
     * The cached response, or the result of {@code llmCall} (then cached for {@code ttl}), as UTF-8 text over
     * {@link #getOrComputeBytes(String, String, Duration, Supplier)}. On a miss only one caller per key computes at
     * a time (across every application instance sharing the backend); the others wait a bounded time for its
     * result, then compute themselves. An exception from {@code llmCall} propagates to the caller that ran it (and
     * to those in this JVM waiting on it) and nothing is cached; {@code llmCall} must not return null, nor text with
     * an unpaired UTF-16 surrogate (refused with {@link IllegalArgumentException} naming {@code response}: it has no
     * UTF-8 form, so it could not be returned verbatim from the cache).
     */
    default String getOrCompute(String model, String prompt, Duration ttl, Supplier<String> llmCall) {
        Objects.requireNonNull(llmCall, "llmCall");
        byte[] value = getOrComputeBytes(model, prompt, ttl, () ->
                PromptKeys.utf8("response", Objects.requireNonNull(llmCall.get(), "llmCall returned null")));
        return new String(value, StandardCharsets.UTF_8);
    }

    /** The TTL used when none is given. */
    Duration defaultTtl();

    /** Hits, misses, errors since this cache was created. */
    CacheStats stats();
}
