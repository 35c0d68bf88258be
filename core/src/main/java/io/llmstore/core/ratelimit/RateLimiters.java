package io.llmstore.core.ratelimit;

import io.llmstore.core.spi.BackendDescriptor;
import io.llmstore.core.spi.Feature;

/**
 * Creates {@link RateLimiter}s: {@code pool.limits()}. Backed by Redis when {@code REDIS_URL} is set (exact
 * across any number of application instances), else by {@link LocalRateLimiters} (local to one JVM). Thread-safe;
 * limiters are cheap, create them once and reuse them.
 */
public interface RateLimiters {
    /** The feature's descriptor: Redis, else the in-process fallback. */
    Feature<RateLimiters> FEATURE = Feature.of("rate limiting", RateLimiters.class,
            BackendDescriptor.REDIS);

    /** A limiter enforcing every limit of {@code policy} together. */
    RateLimiter limiter(RateLimitPolicy policy);

    /** A limiter for these limits, failing open. */
    default RateLimiter limiter(RateLimit... limits) {
        return limiter(RateLimitPolicy.of(limits));
    }
}
