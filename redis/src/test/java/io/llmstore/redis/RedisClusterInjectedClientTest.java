package io.llmstore.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.ratelimit.RateLimit;
import io.llmstore.core.ratelimit.RateLimiter;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * {@code RedisBackendProvider.using(RedisClusterClient)}: the application's own cluster client serves the pool without
 * any {@code REDIS_URL}, the pool hands that very client back, and closing the pool leaves the client working.
 */
class RedisClusterInjectedClientTest {
    @Test
    void thePoolUsesTheApplicationsClusterClientAndNeverClosesIt() {
        String prefix = RedisTestPools.newPrefix();
        RedisClusterClient mine = RedisClusterTestPools.rawClient();
        try {
            StorageConfig config = StorageConfig.builder().set("REDIS_KEY_PREFIX", prefix).build();
            assertThat(config.redis()).as("no REDIS_URL").isEmpty();
            String user = "user-" + UUID.randomUUID();
            try (StoragePool pool = StoragePool.builder(config).backend(RedisBackendProvider.using(mine)).build()) {
                assertThat(pool.client(RedisClusterClient.class)).containsSame(mine);
                RateLimiter limiter = pool.limits().limiter(RateLimit.of("rpm", 2, Duration.ofMinutes(1)));
                assertThat(limiter.tryAcquire(user).backendUnavailable()).isFalse();
                pool.cache().put("m", "p " + user, "cached", Duration.ofMinutes(1));
                assertThat(pool.cache().get("m", "p " + user)).contains("cached");
            }
            // The pool closed only its own connection: the client still connects and sees what the pool wrote.
            try (StatefulRedisClusterConnection<String, String> c = mine.connect()) {
                assertThat(c.sync().get(prefix + "ratelimit:{" + user + "}:rpm")).isEqualTo("1");
            }
        } finally {
            mine.shutdown();
        }
    }
}
