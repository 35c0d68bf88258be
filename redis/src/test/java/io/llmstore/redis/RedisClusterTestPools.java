package io.llmstore.redis;

import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.testkit.TestServers;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Pools on the cluster lane's Redis Cluster (3 masters + 3 replicas, {@code scripts/test-servers start redis-cluster}),
 * configured as a user would: {@code REDIS_URL} with the seed list and {@code REDIS_CLUSTER=true}. Without the lane
 * {@link TestServers#redisCluster()} throws, so these tests fail, never skip.
 */
final class RedisClusterTestPools {
    private RedisClusterTestPools() {
    }

    static StorageConfig.Builder config(String prefix) {
        return StorageConfig.builder()
                .redisUrl(TestServers.redisCluster().uri())
                .set("REDIS_CLUSTER", "true")
                .set("REDIS_KEY_PREFIX", prefix);
    }

    static StoragePool pool(String prefix) {
        return StoragePool.create(config(prefix).build());
    }

    /** A raw cluster client for assertions on what is in the cluster, as a user with redis-cli -c would look. */
    static RedisClusterClient rawClient() {
        return RedisClusterClient.create(TestServers.redisCluster().uri());
    }

    /** The master serving {@code key}'s slot now, by the raw client's freshly loaded topology. */
    static RedisClusterNode masterOf(RedisClusterClient raw, String key) {
        raw.refreshPartitions();
        return raw.getPartitions().getMasterBySlot(SlotHash.getSlot(key));
    }

    /**
     * Kills (SIGKILL) the cluster node on {@code port}, as a crashed machine: no goodbye to its peers or clients. The
     * cluster lane's pid files name each node; {@code TestServers.start("redis-cluster")} brings it back (as a replica
     * of whoever took over its slots).
     */
    static void kill(int port) throws Exception {
        if (!TestServers.canRestart("redis-cluster")) {
            throw new IllegalStateException("killing a cluster node needs the scripts/test-servers Redis Cluster");
        }
        Path pidFile = null;
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(".test-servers/redis-cluster/" + port + "/pid");
            if (Files.isRegularFile(candidate)) {
                pidFile = candidate;
                break;
            }
        }
        if (pidFile == null) {
            throw new IllegalStateException("no .test-servers/redis-cluster/" + port + "/pid above "
                    + Path.of("").toAbsolutePath());
        }
        String pid = Files.readString(pidFile).trim();
        Process p = new ProcessBuilder("kill", "-KILL", pid).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("kill -KILL " + pid + " failed");
        }
    }
}
