package io.llmstore.core.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What every {@link RateLimiters} implementation must do. Extended by the in-process fallback (moving a clock) and
 * by the Redis adapter against a real server (sleeping), so windows here are short.
 */
public abstract class RateLimiterContract {
    protected static final Duration WINDOW = Duration.ofMillis(600);

    /** The limiters under test; each test uses fresh keys. */
    protected abstract RateLimiters limiters();

    /** Lets {@code d} pass for the limiters (move the clock, or sleep). */
    protected abstract void advance(Duration d);

    /** A key no other test uses, with a space and a newline in it (keys are used verbatim). */
    protected String newKey() {
        return "user " + UUID.randomUUID() + "\nline two";
    }

    @Test
    void fixedWindowAdmitsExactlyTheLimitThenDeniesWithARetryAfter() {
        RateLimiter limiter = limiters().limiter(RateLimit.of("rpm", 5, WINDOW));
        String key = newKey();
        List<Long> remaining = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Decision d = limiter.tryAcquire(key);
            assertThat(d.allowed()).isTrue();
            assertThat(d.limitName()).isEqualTo("rpm");
            remaining.add(d.remaining());
        }
        Decision denied = limiter.tryAcquire(key);
        assertThat(remaining).containsExactly(4L, 3L, 2L, 1L, 0L);
        assertThat(denied.allowed()).isFalse();
        assertThat(denied.backendUnavailable()).isFalse();
        assertThat(denied.remaining()).isZero();
        assertThat(denied.retryAfter()).isPositive().isLessThanOrEqualTo(WINDOW);
    }

    @Test
    void aNewWindowRestoresTheFullLimit() {
        RateLimiter limiter = limiters().limiter(RateLimit.of("rpm", 3, WINDOW));
        String key = newKey();
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.tryAcquire(key).allowed()).isTrue();
        }
        Decision denied = limiter.tryAcquire(key);
        assertThat(denied.allowed()).isFalse();
        advance(denied.retryAfter().plusMillis(20));
        Decision again = limiter.tryAcquire(key);
        assertThat(again.allowed()).isTrue();
        assertThat(again.remaining()).isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(RateLimit.Algorithm.class)
    void permitsCostTheirCountAndADenialConsumesNothing(RateLimit.Algorithm algorithm) {
        RateLimiter limiter = limiters().limiter(RateLimit.of("tpm", 100, Duration.ofMinutes(1)).withAlgorithm(algorithm));
        String key = newKey();
        assertThat(limiter.tryAcquire(key, 30).remaining()).isEqualTo(70);
        Decision denied = limiter.tryAcquire(key, 80);
        assertThat(denied.allowed()).isFalse();
        assertThat(denied.remaining()).isEqualTo(70);
        assertThat(denied.retryAfter()).isPositive();
        Decision rest = limiter.tryAcquire(key, 70);
        assertThat(rest.allowed()).isTrue();
        assertThat(rest.remaining()).isZero();
    }

    @Test
    void tokenBucketAllowsABurstThenOnePermitPerInterval() {
        // 5 per 600 ms: a burst of 5, then one every 120 ms.
        RateLimiter limiter = limiters().limiter(RateLimit.of("rps", 5, WINDOW)
                .withAlgorithm(RateLimit.Algorithm.TOKEN_BUCKET));
        String key = newKey();
        for (int i = 0; i < 5; i++) {
            assertThat(limiter.tryAcquire(key).allowed()).isTrue();
        }
        Decision denied = limiter.tryAcquire(key);
        assertThat(denied.allowed()).isFalse();
        assertThat(denied.retryAfter()).isPositive().isLessThanOrEqualTo(Duration.ofMillis(120));
        advance(denied.retryAfter().plusMillis(2));
        assertThat(limiter.tryAcquire(key).allowed()).isTrue();
        assertThat(limiter.tryAcquire(key).allowed()).isFalse();
    }

    @Test
    void severalLimitsAreDecidedAllOrNothing() {
        RateLimiter limiter = limiters().limiter(
                RateLimit.of("rpm", 2, Duration.ofMinutes(1)).chargedPerCall(),
                RateLimit.of("tpm", 100, Duration.ofMinutes(1)));
        String key = newKey();
        Decision first = limiter.tryAcquire(key, 90);
        assertThat(first.allowed()).isTrue();
        assertThat(first.limitName()).isEqualTo("rpm"); // the limit with the fewest permits left
        assertThat(first.remaining()).isEqualTo(1);

        Decision deniedByTokens = limiter.tryAcquire(key, 20);
        assertThat(deniedByTokens.allowed()).isFalse();
        assertThat(deniedByTokens.limitName()).isEqualTo("tpm");

        // The denied call took no request permit: one of the two is still there.
        Decision second = limiter.tryAcquire(key, 5);
        assertThat(second.allowed()).isTrue();
        assertThat(second.limitName()).isEqualTo("rpm");
        assertThat(second.remaining()).isZero();

        Decision deniedByRequests = limiter.tryAcquire(key, 1);
        assertThat(deniedByRequests.allowed()).isFalse();
        assertThat(deniedByRequests.limitName()).isEqualTo("rpm");
        // ...and the request denial took no tokens: 5 are left.
        assertThat(limiters().limiter(RateLimit.of("tpm", 100, Duration.ofMinutes(1))).tryAcquire(key, 5).remaining())
                .isZero();
    }

    @ParameterizedTest
    @EnumSource(RateLimit.Algorithm.class)
    void settlingWithFewerPermitsRefundsTheDifference(RateLimit.Algorithm algorithm) {
        RateLimiter limiter = limiters().limiter(RateLimit.of("tpm", 100, Duration.ofMinutes(1)).withAlgorithm(algorithm));
        String key = newKey();
        Reservation r = limiter.reserve(key, 80);
        assertThat(r.isGranted()).isTrue();
        assertThat(limiter.tryAcquire(key, 30).allowed()).isFalse();

        limiter.settle(r, 30);

        Decision d = limiter.tryAcquire(key, 70);
        assertThat(d.allowed()).isTrue();
        assertThat(d.remaining()).isZero();
    }

    @ParameterizedTest
    @EnumSource(RateLimit.Algorithm.class)
    void settlingWithMorePermitsChargesTheDifference(RateLimit.Algorithm algorithm) {
        RateLimiter limiter = limiters().limiter(RateLimit.of("tpm", 100, Duration.ofMinutes(1)).withAlgorithm(algorithm));
        String key = newKey();
        Reservation r = limiter.reserve(key, 10);
        limiter.settle(r, 60);
        assertThat(limiter.tryAcquire(key, 50).allowed()).isFalse();
        assertThat(limiter.tryAcquire(key, 40).allowed()).isTrue();
    }

    @Test
    void settlingLeavesPerCallLimitsAlone() {
        RateLimiter limiter = limiters().limiter(
                RateLimit.of("rpm", 1, Duration.ofMinutes(1)).chargedPerCall(),
                RateLimit.of("tpm", 100, Duration.ofMinutes(1)));
        String key = newKey();
        Reservation r = limiter.reserve(key, 50);
        limiter.settle(r, 0);
        Decision d = limiter.tryAcquire(key, 1);
        assertThat(d.allowed()).isFalse();
        assertThat(d.limitName()).isEqualTo("rpm");
    }

    @Test
    void settlingADeniedReservationChangesNothing() {
        RateLimiter limiter = limiters().limiter(RateLimit.of("tpm", 100, Duration.ofMinutes(1)));
        String key = newKey();
        limiter.tryAcquire(key, 100);
        Reservation denied = limiter.reserve(key, 50);
        assertThat(denied.isGranted()).isFalse();
        limiter.settle(denied, 0);
        assertThat(limiter.tryAcquire(key, 1).allowed()).isFalse();
    }

    @Test
    void keysAreIndependentAndUsedVerbatim() {
        RateLimiter limiter = limiters().limiter(RateLimit.of("rpm", 1, Duration.ofMinutes(1)));
        String suffix = UUID.randomUUID().toString();
        List<String> keys = List.of("a b " + suffix, "a\nb " + suffix, "a{b}c " + suffix, "{" + suffix,
                "}" + suffix, "redis.call('FLUSHALL') " + suffix, "ключ 🔑 " + suffix, "a b  " + suffix);
        for (String key : keys) {
            assertThat(limiter.tryAcquire(key).allowed()).as(key).isTrue();
        }
        for (String key : keys) {
            assertThat(limiter.tryAcquire(key).allowed()).as(key).isFalse();
        }
    }

    @Test
    void invalidCallsAreRejectedBeforeTheBackend() {
        RateLimiter limiter = limiters().limiter(RateLimit.of("tpm", 100, Duration.ofMinutes(1)));
        assertThatThrownBy(() -> limiter.tryAcquire("", 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("key");
        assertThatThrownBy(() -> limiter.tryAcquire(newKey(), 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("permits must be >= 1, was 0");
    }

    @Test
    void askingForMoreThanALimitEverAllowsIsADenialNamingTheLimitThatChargesNothing() {
        RateLimiter limiter = limiters().limiter(RateLimitPolicy.of(
                RateLimit.of("rpm", 10, Duration.ofMinutes(1)).chargedPerCall(),
                RateLimit.of("tpm", 100, Duration.ofMinutes(1))));
        String key = newKey();
        Decision never = limiter.tryAcquire(key, 101);
        assertThat(never.allowed()).isFalse();
        assertThat(never.exceedsLimit()).isTrue();
        assertThat(never.limitName()).isEqualTo("tpm");
        assertThat(never.backendUnavailable()).isFalse();
        assertThat(never.retryAfter()).isZero();
        Reservation huge = limiter.reserve(key, 1_000_000_000L);
        assertThat(huge.isGranted()).isFalse();
        assertThat(huge.decision().exceedsLimit()).isTrue();
        limiter.settle(huge, 5); // a no-op, as for any denial
        Decision all = limiter.tryAcquire(key, 100); // nothing was charged: the whole limit is still there
        assertThat(all.allowed()).isTrue();
        assertThat(all.exceedsLimit()).isFalse();
        assertThat(all.remaining()).isZero();
    }

    @Test
    void releaseGivesBackEverythingAReservationTookPerCallLimitsIncluded() {
        RateLimiter limiter = limiters().limiter(RateLimitPolicy.of(
                RateLimit.of("rpm", 1, Duration.ofMinutes(1)).chargedPerCall(),
                RateLimit.of("tpm", 100, Duration.ofMinutes(1))));
        String key = newKey();
        for (int i = 0; i < 3; i++) { // the LLM call failed three times: each reservation is given back
            Reservation r = limiter.reserve(key, 80);
            assertThat(r.isGranted()).as("attempt %d", i).isTrue();
            limiter.release(r);
        }
        Decision d = limiter.tryAcquire(key, 100);
        assertThat(d.allowed()).isTrue();
        assertThat(d.remaining()).isZero();
        assertThat(limiter.tryAcquire(key, 1).allowed()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(RateLimit.Algorithm.class)
    void decisionsSayWhenTheLimitIsWholeAgain(RateLimit.Algorithm algorithm) {
        RateLimiter limiter = limiters().limiter(RateLimit.of("rpm", 2, WINDOW).withAlgorithm(algorithm));
        String key = newKey();
        Decision first = limiter.tryAcquire(key);
        assertThat(first.resetAfter()).isPositive().isLessThanOrEqualTo(WINDOW);
        limiter.tryAcquire(key);
        Decision denied = limiter.tryAcquire(key);
        assertThat(denied.allowed()).isFalse();
        assertThat(denied.resetAfter()).isPositive().isLessThanOrEqualTo(WINDOW)
                .isGreaterThanOrEqualTo(denied.retryAfter());
        advance(denied.resetAfter().plusMillis(30));
        Decision whole = limiter.tryAcquire(key);
        assertThat(whole.allowed()).isTrue();
        assertThat(whole.remaining()).isEqualTo(1);
    }

    @Test
    void keysWithUnpairedSurrogatesAreRefusedSoTheyNeverShareACounter() {
        RateLimiter limiter = limiters().limiter(RateLimit.of("rpm", 1, Duration.ofMinutes(1)));
        String base = "user " + UUID.randomUUID() + " ";
        assertThat(limiter.tryAcquire(base + "?").allowed()).isTrue();
        for (String bad : List.of(base + "\uD800", base + "\uDBFF")) {
            assertThatThrownBy(() -> limiter.tryAcquire(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("key must not contain an unpaired UTF-16 surrogate");
        }
        assertThat(limiter.tryAcquire(base + "\uD83D\uDE00").allowed()).isTrue(); // a pair is its own key
    }
}
