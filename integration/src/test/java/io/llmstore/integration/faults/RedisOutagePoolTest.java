package io.llmstore.integration.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llmstore.core.StoragePool;
import io.llmstore.core.event.LlmEvent;
import io.llmstore.core.health.HealthReport;
import io.llmstore.core.health.HealthStatus;
import io.llmstore.core.ratelimit.Decision;
import io.llmstore.core.ratelimit.FailurePolicy;
import io.llmstore.core.ratelimit.RateLimit;
import io.llmstore.core.ratelimit.RateLimitPolicy;
import io.llmstore.core.ratelimit.RateLimiter;
import io.llmstore.core.usage.UsageMetric;
import io.llmstore.testkit.TestServers;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Redis stopped under a pool with every backend configured: cache fails open, limiters follow their policy, health is
 * DEGRADED (not DOWN), PostgreSQL and Kafka keep working; Redis back, everything resumes by itself.
 */
class RedisOutagePoolTest {
    private String schema;

    @AfterEach
    void restore() {
        TestServers.start("redis"); // no-op when it runs
        if (schema != null) {
            FaultSupport.dropSchema(schema);
        }
    }

    @Test
    void aRedisOutageDegradesOnlyRedisFeaturesAndHealsByItself() throws Exception {
        schema = FaultSupport.newSchema();
        String prefix = "r-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL) + "-";
        try (StoragePool pool = FaultSupport.pool(FaultSupport.postgresConfig(TestServers.postgres().databaseUrl(), schema)
                .redisUrl(TestServers.redis().uri())
                .set("REDIS_KEY_PREFIX", prefix)
                .set("REDIS_COMMAND_TIMEOUT", "300ms")
                .kafkaBootstrapServers(TestServers.kafka().bootstrapServers())
                .set("KAFKA_TOPIC_PREFIX", prefix))) {
            RateLimit rpm = RateLimit.of("rpm", 100, Duration.ofMinutes(1));
            RateLimiter open = pool.limits().limiter(RateLimitPolicy.of(rpm));
            RateLimiter closed = pool.limits().limiter(RateLimitPolicy.of(rpm).withFailurePolicy(FailurePolicy.FAIL_CLOSED));
            String user = "user " + UUID.randomUUID();
            assertThat(pool.healthCheck().status()).isEqualTo(HealthStatus.UP);
            pool.cache().put("m", "cached before", "answer", Duration.ofMinutes(5));

            TestServers.stop("redis");
            try {
                long t0 = System.nanoTime();
                Decision o = open.tryAcquire(user, 1);
                Decision c = closed.tryAcquire(user, 1);
                AtomicInteger llmCalls = new AtomicInteger();
                String answer = pool.cache().getOrCompute("m", "p " + user, Duration.ofMinutes(1),
                        () -> "computed #" + llmCalls.incrementAndGet());
                assertThat((System.nanoTime() - t0) / 1_000_000).as("ms for three calls").isLessThan(3 * 300 + 1_000);
                assertThat(o.allowed()).isTrue();
                assertThat(o.isFailedOpen()).isTrue();
                assertThat(c.allowed()).isFalse();
                assertThat(c.isFailedClosed()).isTrue();
                assertThat(answer).isEqualTo("computed #1");

                HealthReport health = pool.healthCheck();
                assertThat(health.status()).isEqualTo(HealthStatus.DEGRADED);
                assertThat(health.component("redis").orElseThrow().isUp()).isFalse();
                assertThat(health.component("postgres").orElseThrow().isUp()).isTrue();

                // The other backends do not notice.
                UsageMetric row = FaultSupport.row(1);
                pool.usage().record(row);
                assertThat(FaultSupport.countOf(schema, List.of(row.eventId()))).isEqualTo(1);
                pool.events().publish(LlmEvent.builder().timestamp(Instant.now()).model("gpt-4o").provider("openai")
                        .tokens(1, 1).build()).get(30, TimeUnit.SECONDS);
            } finally {
                TestServers.start("redis");
            }

            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                    .until(() -> !open.tryAcquire(user, 1).backendUnavailable());
            assertThat(closed.tryAcquire(user, 1).allowed()).isTrue();
            AtomicInteger calls = new AtomicInteger();
            pool.cache().getOrCompute("m", "after " + user, Duration.ofMinutes(1), () -> "v" + calls.incrementAndGet());
            assertThat(pool.cache().getOrCompute("m", "after " + user, Duration.ofMinutes(1),
                    () -> "v" + calls.incrementAndGet())).as("served from Redis again").isEqualTo("v1");
            await().atMost(Duration.ofSeconds(10)).until(() -> pool.healthCheck().status() == HealthStatus.UP);
        }
    }
}
