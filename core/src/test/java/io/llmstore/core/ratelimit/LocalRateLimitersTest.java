package io.llmstore.core.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The in-process limiter passes the contract with a clock moved by hand. */
class LocalRateLimitersTest extends RateLimiterContract {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final LocalRateLimiters limiters = new LocalRateLimiters(clock);

    @Override
    protected RateLimiters limiters() {
        return limiters;
    }

    @Override
    protected void advance(Duration d) {
        clock.advance(d);
    }

    @Test
    void anotherLocalRateLimitersCountsOnItsOwnBecauseItIsLocal() {
        // Documented behaviour: two application instances with in-process limiters each admit the full limit.
        String key = newKey();
        RateLimit limit = RateLimit.of("rpm", 1, Duration.ofMinutes(1));
        assertThat(limiters.limiter(limit).tryAcquire(key).allowed()).isTrue();
        assertThat(limiters.limiter(limit).tryAcquire(key).allowed()).isFalse();
        assertThat(new LocalRateLimiters(clock).limiter(limit).tryAcquire(key).allowed()).isTrue();
    }
}
