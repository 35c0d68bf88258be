package io.llmstore.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.health.ComponentHealth;
import io.llmstore.core.health.HealthReport;
import io.llmstore.core.health.HealthStatus;
import io.llmstore.core.ratelimit.Decision;
import io.llmstore.core.ratelimit.RateLimit;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A pool with REDIS_URL reports redis in its health; a wrong port makes it DEGRADED, not broken. */
class RedisPoolHealthTest {
    @Test
    void aPoolWithRedisReportsItUp() {
        try (StoragePool pool = RedisTestPools.pool(RedisTestPools.newPrefix())) {
            HealthReport health = pool.healthCheck();
            ComponentHealth redis = health.component("redis").orElseThrow();
            assertThat(redis.isUp()).isTrue();
            assertThat(redis.critical()).isFalse();
            assertThat(health.status()).isEqualTo(HealthStatus.UP);
            assertThat(pool.client(RedisClient.class)).isPresent();
            assertThat(pool.cache()).isInstanceOf(RedisResponseCache.class);
            assertThat(pool.sessions()).isInstanceOf(RedisSessionStore.class);
        }
    }

    @Test
    void aWrongPortOpensDegradedAndNeverPrintsThePassword() throws IOException {
        int freePort;
        try (ServerSocket s = new ServerSocket(0)) {
            freePort = s.getLocalPort();
        }
        StorageConfig config = StorageConfig.builder()
                .redisUrl("redis://app:s3cr3t-pw@127.0.0.1:" + freePort)
                .set("REDIS_COMMAND_TIMEOUT", "300ms")
                .set("DB_RETRY_MAX_ATTEMPTS", "2")
                .build();
        long t0 = System.nanoTime();
        try (StoragePool pool = StoragePool.create(config)) {
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
            HealthReport health = pool.healthCheck();
            ComponentHealth redis = health.component("redis").orElseThrow();
            assertThat(redis.status()).isEqualTo(HealthStatus.DOWN);
            assertThat(health.status()).isEqualTo(HealthStatus.DEGRADED);
            assertThat(redis.error()).isPresent();
            assertThat(redis.error().get()).contains(String.valueOf(freePort)).doesNotContain("s3cr3t-pw");
            assertThat(pool.toString()).doesNotContain("s3cr3t-pw");

            Decision d = pool.limits().limiter(RateLimit.of("rpm", 1, Duration.ofMinutes(1))).tryAcquire("u");
            assertThat(d.isFailedOpen()).isTrue();
            assertThat(pool.cache().getOrCompute("m", "p", Duration.ofMinutes(1), () -> "still answers"))
                    .isEqualTo("still answers");
        }
    }
}
