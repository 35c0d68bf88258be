package io.llmstore.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.health.HealthStatus;
import io.llmstore.core.ratelimit.RateLimit;
import io.llmstore.testkit.RedisServer;
import io.llmstore.testkit.TestServers;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * {@code RedisBackendProvider.using(redisClient)} on the real server: the pool needs no REDIS_URL, its commands run
 * on a connection of the application's client (named by the client's URI, seen in CLIENT LIST), and the client
 * still connects after {@code pool.close()}.
 */
class InjectedRedisClientTest {

    @Test
    void thePoolRunsOnTheApplicationsClientAndLeavesItUsable() {
        RedisServer server = TestServers.redis();
        String name = "app-" + UUID.randomUUID().toString().substring(0, 8);
        String prefix = RedisTestPools.newPrefix();
        RedisClient client = RedisClient.create(RedisURI.builder().withHost(server.host()).withPort(server.port())
                .withClientName(name).build());
        try (StatefulRedisConnection<String, String> observer = RedisClient.create(server.uri()).connect()) {
            StorageConfig config = StorageConfig.builder().set("REDIS_KEY_PREFIX", prefix).build();
            assertThat(config.redis()).as("nothing configures Redis but the client").isEmpty();

            try (StoragePool pool = StoragePool.builder(config).backend(RedisBackendProvider.using(client)).build()) {
                assertThat(pool.cache()).isInstanceOf(RedisResponseCache.class);
                pool.cache().put("gpt-4o", "hello", "world", Duration.ofMinutes(5));
                pool.sessions().create("s-1", java.util.Map.of("user", "u-1"), Duration.ofMinutes(5));
                assertThat(pool.limits().limiter(RateLimit.of("per-minute", 10, Duration.ofMinutes(1))).tryAcquire("u-1").allowed()).isTrue();

                assertThat(observer.sync().clientList()).as("the pool's connection, opened by the application's client")
                        .contains("name=" + name + " ");
                assertThat(observer.sync().keys(prefix + "*")).as("keys the pool wrote").isNotEmpty();
                assertThat(pool.client(RedisClient.class)).containsSame(client);
                assertThat(pool.healthCheck().component("redis").orElseThrow().status()).isEqualTo(HealthStatus.UP);
                assertThat(pool.stats().caches()).containsKey("llm_response");
            }

            // The server drops a closed client as it reads the socket's end: wait for that, do not race it.
            await("the pool closed its own connection").atMost(Duration.ofSeconds(5))
                    .until(() -> !observer.sync().clientList().contains("name=" + name + " "));
            try (StatefulRedisConnection<String, String> again = client.connect()) {
                assertThat(again.sync().ping()).as("the pool never shuts down an injected client").isEqualTo("PONG");
            }
            observer.sync().keys(prefix + "*").forEach(k -> observer.sync().del(k));
        } finally {
            client.shutdown();
        }
    }
}
