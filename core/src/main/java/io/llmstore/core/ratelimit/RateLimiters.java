package io.llmstore.core.ratelimit;

/**
 * Creates {@link RateLimiter}s: {@code pool.rateLimiters()}. Backed by Redis when {@code REDIS_URL} is set (exact
 * across any number of application instances), else by {@link LocalRateLimiters} (local to one JVM). Thread-safe;
 * limiters are cheap, create them once and reuse them.
 */
public interface RateLimiters {
    /** A limiter enforcing every limit of {@code policy} together. */
    RateLimiter limiter(RateLimitPolicy policy);

    /** A limiter for these limits, failing open. */
    default RateLimiter limiter(RateLimit... limits) {
        return limiter(RateLimitPolicy.of(limits));
    }
}
