package io.llmstore.core.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Clock;
import java.time.Instant;
import java.util.function.ToLongFunction;

/** Caffeine caches driven by an injected {@link Clock}, so tests move time instead of sleeping. */
public final class ClockCaches {
    private ClockCaches() {
    }

    /** A Caffeine ticker reading {@code clock} in nanoseconds. */
    public static Ticker ticker(Clock clock) {
        return () -> {
            Instant now = clock.instant();
            return now.getEpochSecond() * 1_000_000_000L + now.getNano();
        };
    }

    /**
     * A bounded cache whose entries each expire after their own time to live, set on every write (reads do not
     * extend it).
     *
     * @param ttlNanos the entry's time to live in nanoseconds
     */
    public static <V> Cache<String, V> perEntryTtl(long maximumSize, Clock clock, ToLongFunction<V> ttlNanos) {
        return Caffeine.newBuilder()
                .maximumSize(maximumSize)
                .ticker(ticker(clock))
                .expireAfter(new Expiry<String, V>() {
                    @Override
                    public long expireAfterCreate(String key, V value, long currentTime) {
                        return ttlNanos.applyAsLong(value);
                    }

                    @Override
                    public long expireAfterUpdate(String key, V value, long currentTime, long currentDuration) {
                        return ttlNanos.applyAsLong(value);
                    }

                    @Override
                    public long expireAfterRead(String key, V value, long currentTime, long currentDuration) {
                        return currentDuration;
                    }
                })
                .build();
    }
}
