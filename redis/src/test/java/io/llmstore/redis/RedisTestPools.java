package io.llmstore.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.testkit.TestServers;
import java.util.UUID;

/** Pools on the test Redis, each test class with its own key prefix so classes run in any order. */
final class RedisTestPools {
    private RedisTestPools() {
    }

    static String newPrefix() {
        return "llmstore-test-" + UUID.randomUUID() + ":";
    }

    static StorageConfig.Builder config(String prefix) {
        return StorageConfig.builder()
                .redisUrl(TestServers.redis().uri())
                .set("REDIS_KEY_PREFIX", prefix);
    }

    static StoragePool pool(String prefix) {
        return StoragePool.create(config(prefix).build());
    }

    /** A raw client for assertions on what is in Redis, as a user with redis-cli would look. */
    static StatefulRedisConnection<String, String> raw(RedisClient client) {
        return client.connect();
    }

    static RedisClient rawClient() {
        return RedisClient.create(TestServers.redis().uri());
    }
}
