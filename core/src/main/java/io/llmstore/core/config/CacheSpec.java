package io.llmstore.core.config;

import io.llmstore.core.config.internal.Durations;
import java.time.Duration;
import java.util.Objects;

/**
 * Size and time-to-live of one named cache, from {@code CACHE_<NAME>_SIZE} and {@code CACHE_<NAME>_TTL}.
 *
 * @param name        the cache name, e.g. {@code api_key}
 * @param maximumSize most entries, >= 0
 * @param ttl         expiry after write, > 0
 */
public record CacheSpec(String name, long maximumSize, Duration ttl) {
    public CacheSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(ttl, "ttl");
        if (maximumSize < 0) {
            throw new IllegalArgumentException("maximumSize must be >= 0, was " + maximumSize);
        }
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be > 0, was " + ttl);
        }
    }

    @Override
    public String toString() {
        return name + "(size=" + maximumSize + ", ttl=" + Durations.format(ttl) + ")";
    }
}
