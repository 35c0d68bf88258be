package io.llmstore.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.testkit.TestServers;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /**
     * Freezes the test Redis (SIGSTOP on the redis-server that scripts/test-servers started): its socket stays open
     * and accepts bytes, but nothing answers, as with a hung server. Close the returned handle (SIGCONT) in a
     * finally, always.
     */
    static AutoCloseable hang() throws Exception {
        if (!TestServers.canRestart("redis")) {
            throw new IllegalStateException("hanging Redis needs the scripts/test-servers Redis (its pid file)");
        }
        Path pidFile = null;
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(".test-servers/redis/pid"))) {
                pidFile = dir.resolve(".test-servers/redis/pid");
                break;
            }
        }
        if (pidFile == null) {
            throw new IllegalStateException("no .test-servers/redis/pid above " + Path.of("").toAbsolutePath());
        }
        String pid = Files.readString(pidFile).trim();
        signal("STOP", pid);
        return () -> signal("CONT", pid);
    }

    private static void signal(String name, String pid) throws Exception {
        Process p = new ProcessBuilder("kill", "-" + name, pid).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("kill -" + name + " " + pid + " failed");
        }
    }

    static RedisClient rawClient() {
        return RedisClient.create(TestServers.redis().uri());
    }
}
