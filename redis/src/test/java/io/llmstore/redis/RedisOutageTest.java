package io.llmstore.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.llmstore.core.StoragePool;
import io.llmstore.core.error.StorageException;
import io.llmstore.core.health.HealthReport;
import io.llmstore.core.health.HealthStatus;
import io.llmstore.core.ratelimit.Decision;
import io.llmstore.core.ratelimit.FailurePolicy;
import io.llmstore.core.ratelimit.RateLimit;
import io.llmstore.core.ratelimit.RateLimitPolicy;
import io.llmstore.core.ratelimit.RateLimiter;
import io.llmstore.core.metrics.LlmstoreMetrics;
import io.llmstore.core.ratelimit.Reservation;
import io.llmstore.core.stats.RateLimiterStats;
import io.llmstore.testkit.TestServers;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Redis stopped mid-run: limiters decide by their failure policy, the cache fails open, sessions throw, health says
 * DEGRADED, every caller returns within the command timeout; when Redis comes back, so does everything.
 */
class RedisOutageTest {
    private static final Duration TIMEOUT = Duration.ofMillis(300);

    @Test
    void whileRedisIsDownCallsDecideByPolicyWithinTheTimeoutAndRecoverAfter() {
        String prefix = RedisTestPools.newPrefix();
        try (StoragePool pool = StoragePool.create(RedisTestPools.config(prefix)
                .set("REDIS_COMMAND_TIMEOUT", "300ms").build())) {
            RateLimit rpm = RateLimit.of("rpm", 100, Duration.ofMinutes(1));
            RateLimiter open = pool.limits().limiter(RateLimitPolicy.of(rpm));
            RateLimiter closed = pool.limits().limiter(
                    RateLimitPolicy.of(rpm).withFailurePolicy(FailurePolicy.FAIL_CLOSED));
            String user = "user " + UUID.randomUUID();
            assertThat(open.tryAcquire(user).backendUnavailable()).isFalse();
            assertThat(closed.tryAcquire(user).backendUnavailable()).isFalse();
            assertThat(pool.healthCheck().status()).isEqualTo(HealthStatus.UP);

            TestServers.stop("redis");
            try {
                long t0 = System.nanoTime();
                Decision o = open.tryAcquire(user);
                Decision c = closed.tryAcquire(user);
                AtomicInteger llmCalls = new AtomicInteger();
                String answer = pool.cache().getOrCompute("m", "p " + user, Duration.ofMinutes(1),
                        () -> "computed #" + llmCalls.incrementAndGet());
                long elapsedMs = (System.nanoTime() - t0) / 1_000_000;

                assertThat(o.allowed()).isTrue();
                assertThat(o.isFailedOpen()).isTrue();
                assertThat(c.allowed()).isFalse();
                assertThat(c.isFailedClosed()).isTrue();
                assertThat(c.retryAfter()).isPositive();
                assertThat(answer).isEqualTo("computed #1");
                assertThat(pool.cache().stats().errors()).isPositive();
                // Three calls, each bounded by one command timeout (in fact they fail at once: disconnected).
                assertThat(elapsedMs).isLessThan(3 * TIMEOUT.toMillis() + 500);

                assertThatThrownBy(() -> pool.sessions().get("s " + user)).isInstanceOf(StorageException.class)
                        .hasMessageContaining("Redis");
                HealthReport health = pool.healthCheck();
                assertThat(health.status()).isEqualTo(HealthStatus.DEGRADED);
                assertThat(health.component("redis").orElseThrow().isUp()).isFalse();
            } finally {
                TestServers.start("redis");
            }

            // Lettuce reconnects by itself; the restarted server has no scripts, so NOSCRIPT reloads them.
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                    .until(() -> !open.tryAcquire(user).backendUnavailable());
            assertThat(closed.tryAcquire(user).allowed()).isTrue();
            assertThat(pool.healthCheck().status()).isEqualTo(HealthStatus.UP);
        }
    }

    /**
     * After a 10 s outage a FAIL_CLOSED limiter is served by Redis again within 2 s of Redis answering (Lettuce's
     * default backoff, doubling to 30 s, left it refusing for 6-13 s more; REDIS_RECONNECT_MAX_DELAY caps it at 1 s).
     */
    @Test
    void afterAnOutageDecisionsAreServedByRedisWithinTwoSecondsOfItAnswering() throws Exception {
        String prefix = RedisTestPools.newPrefix();
        try (StoragePool pool = StoragePool.create(RedisTestPools.config(prefix)
                .set("REDIS_COMMAND_TIMEOUT", "300ms").build())) {
            RateLimiter closed = pool.limits().limiter(RateLimitPolicy.of(
                    RateLimit.of("rpm", 1_000_000, Duration.ofMinutes(1))).withFailurePolicy(FailurePolicy.FAIL_CLOSED));
            String user = "user " + UUID.randomUUID();
            assertThat(closed.tryAcquire(user).allowed()).isTrue();

            TestServers.stop("redis");
            long answeredAt;
            try {
                long outageEnd = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (System.nanoTime() < outageEnd) {
                    assertThat(closed.tryAcquire(user).isFailedClosed()).isTrue();
                    Thread.sleep(200);
                }
            } finally {
                TestServers.start("redis"); // returns once the port answers
                answeredAt = System.nanoTime();
            }
            while (closed.tryAcquire(user).backendUnavailable()) {
                assertThat(System.nanoTime() - answeredAt).as("still refused by a healthy Redis")
                        .isLessThan(Duration.ofSeconds(20).toNanos());
                Thread.sleep(20);
            }
            long recoveredMs = (System.nanoTime() - answeredAt) / 1_000_000;
            System.out.printf("recovery after a 10 s outage: served by Redis %d ms after it answered%n", recoveredMs);
            assertThat(recoveredMs).isLessThan(2_000);
            assertThat(closed.tryAcquire(user).allowed()).isTrue();
        }
    }

    /** Failed decisions and dropped settlements show in pool.stats() and the Micrometer binder, no cast needed. */
    @Test
    void limiterErrorsAndDroppedSettlementsAreInPoolStatsAndMicrometer() {
        String prefix = RedisTestPools.newPrefix();
        try (StoragePool pool = StoragePool.create(RedisTestPools.config(prefix)
                .set("REDIS_COMMAND_TIMEOUT", "300ms").build())) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            new LlmstoreMetrics(pool).bindTo(registry);
            RateLimiter limiter = pool.limits().limiter(RateLimitPolicy.of(
                    RateLimit.of("tpm", 1000, Duration.ofMinutes(1))));
            String user = "user " + UUID.randomUUID();
            Reservation r = limiter.reserve(user, 100);
            assertThat(r.isGranted()).isTrue();
            assertThat(pool.stats().rateLimiters()).contains(new RateLimiterStats(0, 0));

            TestServers.stop("redis");
            try {
                assertThat(limiter.tryAcquire(user).isFailedOpen()).isTrue();
                assertThat(limiter.tryAcquire(user).isFailedOpen()).isTrue();
                limiter.settle(r, 40); // dropped: Redis is gone
            } finally {
                TestServers.start("redis");
            }
            assertThat(pool.stats().rateLimiters()).contains(new RateLimiterStats(2, 1));
            assertThat(registry.get("llmstore.ratelimit.errors").tag("kind", "decision").functionCounter().count())
                    .isEqualTo(2.0);
            assertThat(registry.get("llmstore.ratelimit.errors").tag("kind", "settlement").functionCounter().count())
                    .isEqualTo(1.0);
        }
    }
}
