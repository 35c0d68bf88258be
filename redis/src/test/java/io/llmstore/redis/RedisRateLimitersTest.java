package io.llmstore.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.SlotHash;
import io.llmstore.core.StoragePool;
import io.llmstore.core.ratelimit.Decision;
import io.llmstore.core.ratelimit.RateLimit;
import io.llmstore.core.ratelimit.RateLimiter;
import io.llmstore.core.ratelimit.RateLimiterContract;
import io.llmstore.core.ratelimit.RateLimiters;
import io.llmstore.core.ratelimit.Reservation;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Redis limiters pass the contract against the real server, and keep their keys as documented. */
class RedisRateLimitersTest extends RateLimiterContract {
    private static final String PREFIX = RedisTestPools.newPrefix();
    private static StoragePool pool;
    private static RedisClient rawClient;
    private static RedisCommands<String, String> redis;

    @BeforeAll
    static void open() {
        pool = RedisTestPools.pool(PREFIX);
        rawClient = RedisTestPools.rawClient();
        redis = rawClient.connect().sync();
    }

    @AfterAll
    static void close() {
        pool.close();
        rawClient.shutdown();
    }

    @Override
    protected RateLimiters limiters() {
        return pool.limits();
    }

    @Override
    protected void advance(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void thePoolHandsOutTheRedisLimiters() {
        assertThat(pool.limits()).isInstanceOf(RedisRateLimiters.class);
    }

    @Test
    void aFixedWindowCounterIsOneKeyWithTheWindowAsTtl() {
        String user = "user-" + UUID.randomUUID();
        RateLimiter limiter = limiters().limiter(RateLimit.of("rpm", 60, Duration.ofMinutes(1)));
        limiter.tryAcquire(user, 3);
        String key = PREFIX + "ratelimit:{" + user + "}:rpm";
        assertThat(redis.get(key)).isEqualTo("3");
        assertThat(redis.pttl(key)).isBetween(58_000L, 60_000L);
    }

    @Test
    void aCounterLeftWithoutTtlByACrashedWriterGetsOneAgain() {
        String user = "user-" + UUID.randomUUID();
        String key = PREFIX + "ratelimit:{" + user + "}:rpm";
        redis.set(key, "5"); // the seed's INCR without its EXPIRE
        Decision d = limiters().limiter(RateLimit.of("rpm", 5, Duration.ofMinutes(1))).tryAcquire(user);
        assertThat(d.allowed()).isFalse();
        assertThat(redis.pttl(key)).isBetween(58_000L, 60_000L);
    }

    @Test
    void aCounterRefundedToZeroKeepsTheWindowItWasChargedIn() {
        String user = "user-" + UUID.randomUUID();
        String key = PREFIX + "ratelimit:{" + user + "}:tpm";
        RateLimiter limiter = limiters().limiter(RateLimit.of("tpm", 10, Duration.ofMinutes(1)));
        limiter.settle(limiter.reserve(user, 5), 0);
        assertThat(redis.get(key)).isEqualTo("0");
        long expiry = redis.pexpiretime(key);
        advance(Duration.ofMillis(20));
        Decision d = limiter.tryAcquire(user, 4);
        assertThat(d.remaining()).isEqualTo(6);
        assertThat(redis.get(key)).isEqualTo("4");
        assertThat(redis.pexpiretime(key)).isEqualTo(expiry);
    }

    @Test
    void aDeniedCallLeavesTheCounterAndItsWindowAsTheyWere() {
        String user = "user-" + UUID.randomUUID();
        String key = PREFIX + "ratelimit:{" + user + "}:tpm";
        RateLimiter limiter = limiters().limiter(RateLimit.of("tpm", 10, Duration.ofMinutes(1)));
        assertThat(limiter.tryAcquire(user, 7).allowed()).isTrue();
        long expiry = redis.pexpiretime(key);
        Decision d = limiter.tryAcquire(user, 4);
        assertThat(d.allowed()).isFalse();
        assertThat(d.remaining()).isEqualTo(3);
        assertThat(d.retryAfter()).isBetween(Duration.ofSeconds(58), Duration.ofMinutes(1));
        assertThat(redis.get(key)).isEqualTo("7");
        assertThat(redis.pexpiretime(key)).isEqualTo(expiry);
    }

    @Test
    void everyLimitOfOneKeySharesOneClusterSlot() {
        String user = "user-" + UUID.randomUUID();
        limiters().limiter(RateLimit.of("rpm", 60, Duration.ofMinutes(1)).chargedPerCall(),
                RateLimit.of("tpm", 1000, Duration.ofMinutes(1)).withAlgorithm(RateLimit.Algorithm.TOKEN_BUCKET))
                .tryAcquire(user, 10);
        String rpm = PREFIX + "ratelimit:{" + user + "}:rpm";
        String tpm = PREFIX + "ratelimit:{" + user + "}:tpm:tb";
        assertThat(redis.exists(rpm, tpm)).isEqualTo(2);
        // Lettuce's cluster client computes slots like the server (CRC16 of the hash tag).
        assertThat(SlotHash.getSlot(rpm)).isEqualTo(SlotHash.getSlot(tpm));
    }

    @Test
    void aDecisionSurvivesAScriptFlush() {
        RateLimiter limiter = limiters().limiter(RateLimit.of("rpm", 2, Duration.ofMinutes(1)));
        String user = "user-" + UUID.randomUUID();
        assertThat(limiter.tryAcquire(user).allowed()).isTrue();
        redis.scriptFlush();
        Decision d = limiter.tryAcquire(user);
        assertThat(d.allowed()).isTrue();
        assertThat(d.backendUnavailable()).isFalse();
        assertThat(d.remaining()).isZero();
        Reservation r = limiter.reserve("other-" + user, 2);
        redis.scriptFlush();
        limiter.settle(r, 1);
        assertThat(limiter.tryAcquire("other-" + user).allowed()).isTrue();
    }
}
