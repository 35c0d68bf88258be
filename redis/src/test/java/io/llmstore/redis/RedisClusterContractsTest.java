package io.llmstore.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.llmstore.core.StoragePool;
import io.llmstore.core.cache.ResponseCache;
import io.llmstore.core.cache.ResponseCacheContract;
import io.llmstore.core.health.HealthStatus;
import io.llmstore.core.ratelimit.RateLimit;
import io.llmstore.core.ratelimit.RateLimiter;
import io.llmstore.core.ratelimit.RateLimiterContract;
import io.llmstore.core.ratelimit.RateLimiters;
import io.llmstore.core.session.SessionStore;
import io.llmstore.core.session.SessionStoreContract;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The Redis adapter on a real Redis Cluster (3 masters + 3 replicas): the same contract suites the standalone server
 * and the in-process fallbacks pass, through Lettuce's cluster client, with keys spread over every master.
 */
class RedisClusterContractsTest {
    private static final String PREFIX = RedisTestPools.newPrefix();
    private static StoragePool pool;
    private static RedisClusterClient rawClient;
    private static RedisAdvancedClusterCommands<String, String> redis;

    @BeforeAll
    static void open() {
        pool = RedisClusterTestPools.pool(PREFIX);
        rawClient = RedisClusterTestPools.rawClient();
        redis = rawClient.connect().sync();
    }

    @AfterAll
    static void close() {
        pool.close();
        rawClient.shutdown();
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void thePoolRunsOnLettucesClusterClientAndIsHealthy() {
        assertThat(pool.client(RedisClusterClient.class)).isPresent();
        assertThat(pool.client(RedisClient.class)).isEmpty();
        assertThat(pool.client(StatefulRedisClusterConnection.class)).isPresent();
        assertThat(pool.client(StatefulRedisConnection.class)).isEmpty();
        assertThat(pool.healthCheck().status()).isEqualTo(HealthStatus.UP);
    }

    @Test
    void keysOfManyUsersAndPromptsLandOnEveryMasterAndOneUsersLimitsShareASlot() {
        String prefix = RedisTestPools.newPrefix(); // this test's keys only, counted on each master below
        try (StoragePool own = RedisClusterTestPools.pool(prefix)) {
            spreadOver(own, prefix);
        }
    }

    private static void spreadOver(StoragePool pool, String prefix) {
        RateLimiter limiter = pool.limits().limiter(
                RateLimit.of("rpm", 60, Duration.ofMinutes(1)).chargedPerCall(),
                // 10 of 100 per minute: the bucket's key lives 6 s (until full again), beyond this test's counting.
                RateLimit.of("tpm", 100, Duration.ofMinutes(1)).withAlgorithm(RateLimit.Algorithm.TOKEN_BUCKET));
        String run = UUID.randomUUID().toString();
        for (int i = 0; i < 60; i++) {
            String user = "user-" + i + "-" + run;
            assertThat(limiter.tryAcquire(user, 10).allowed()).isTrue();
            assertThat(SlotHash.getSlot(prefix + "ratelimit:{" + user + "}:rpm"))
                    .isEqualTo(SlotHash.getSlot(prefix + "ratelimit:{" + user + "}:tpm:tb"));
            pool.cache().put("m", "prompt " + i + " " + run, "answer " + i, Duration.ofMinutes(5));
            pool.sessions().create("session-" + i + "-" + run, Map.of("n", i), Duration.ofMinutes(5));
        }
        // Count this test's keys on each master, asking each master alone (not through the cluster routing).
        Map<String, Long> keysPerMaster = new HashMap<>();
        rawClient.refreshPartitions();
        for (RedisClusterNode node : rawClient.getPartitions()) {
            if (!node.is(RedisClusterNode.NodeFlag.UPSTREAM)) {
                continue;
            }
            RedisClient single = RedisClient.create("redis://" + node.getUri().getHost() + ":" + node.getUri().getPort());
            try (StatefulRedisConnection<String, String> c = single.connect()) {
                long n = ScanIterator.scan(c.sync(), ScanArgs.Builder.matches(prefix + "*").limit(500)).stream().count();
                keysPerMaster.put(node.getUri().getHost() + ":" + node.getUri().getPort(), n);
            } finally {
                single.shutdown();
            }
        }
        assertThat(keysPerMaster).hasSize(3);
        assertThat(keysPerMaster.values()).allMatch(n -> n > 10);
        assertThat(keysPerMaster.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(60 * 4);
        assertThat(redis.get(prefix + "ratelimit:{user-7-" + run + "}:rpm")).isEqualTo("1");
    }

    /** The rate limiter contract on the cluster. */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Limiters extends RateLimiterContract {
        @Override
        protected RateLimiters limiters() {
            return pool.limits();
        }

        @Override
        protected void advance(Duration d) {
            pause(d);
        }
    }

    /** The response cache contract (single-flight locks included) on the cluster. */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Cache extends ResponseCacheContract {
        @Override
        protected ResponseCache cache() {
            return pool.cache();
        }

        @Override
        protected void advance(Duration d) {
            pause(d);
        }
    }

    /** The session store contract on the cluster. */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Sessions extends SessionStoreContract {
        @Override
        protected SessionStore store() {
            return pool.sessions();
        }

        @Override
        protected void advance(Duration d) {
            pause(d);
        }
    }
}
