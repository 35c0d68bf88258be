package io.llmstore.core.cache;

import io.llmstore.core.ratelimit.MutableClock;
import java.time.Duration;
import java.time.Instant;

/** The in-process cache passes the contract with a clock moved by hand. */
class LocalResponseCacheTest extends ResponseCacheContract {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final LocalResponseCache cache = new LocalResponseCache(10_000, Duration.ofHours(1), Duration.ofSeconds(10), clock);

    @Override
    protected ResponseCache cache() {
        return cache;
    }

    @Override
    protected void advance(Duration d) {
        clock.advance(d);
    }
}
