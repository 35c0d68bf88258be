package io.llmstore.core.ratelimit;

/**
 * Decides whether a key (user, API key, tenant) may proceed. A denial is a {@link Decision}, not an exception;
 * only a backend failure throws, and then only when the limiter's policy is fail-closed without a fallback.
 */
public interface RateLimiter {
    /** One permit. */
    default Decision tryAcquire(String key) {
        return tryAcquire(key, 1);
    }

    /** {@code permits} at once (tokens for a tokens-per-minute limit), all or nothing. */
    Decision tryAcquire(String key, long permits);
}
