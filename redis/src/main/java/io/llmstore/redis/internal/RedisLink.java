package io.llmstore.redis.internal;

import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.util.Objects;

/**
 * One connection to Redis, to a standalone server or to a Redis Cluster, seen through the command interfaces both
 * kinds share ({@link RedisClusterCommands}, {@link RedisClusterAsyncCommands}), so every feature has one code path.
 * Lettuce's cluster connection routes each command by its first key's slot ({@code EVALSHA} included) and loads
 * scripts on every node; our scripts and commands each touch one slot, so the same calls work on both. Thread-safe.
 */
public final class RedisLink {
    private final StatefulConnection<byte[], byte[]> stateful;
    private final RedisClusterCommands<byte[], byte[]> sync;
    private final RedisClusterAsyncCommands<byte[], byte[]> async;
    private final boolean cluster;

    private RedisLink(StatefulConnection<byte[], byte[]> stateful, RedisClusterCommands<byte[], byte[]> sync,
                      RedisClusterAsyncCommands<byte[], byte[]> async, boolean cluster) {
        this.stateful = Objects.requireNonNull(stateful, "stateful");
        this.sync = sync;
        this.async = async;
        this.cluster = cluster;
    }

    /** A standalone server's connection. */
    public static RedisLink of(StatefulRedisConnection<byte[], byte[]> connection) {
        return new RedisLink(connection, connection.sync(), connection.async(), false);
    }

    /** A Redis Cluster connection (one logical connection over one connection per node). */
    public static RedisLink of(StatefulRedisClusterConnection<byte[], byte[]> connection) {
        return new RedisLink(connection, connection.sync(), connection.async(), true);
    }

    /** Blocking commands, each bounded by the connection's timeout. */
    public RedisClusterCommands<byte[], byte[]> sync() {
        return sync;
    }

    /** Non-blocking commands. */
    public RedisClusterAsyncCommands<byte[], byte[]> async() {
        return async;
    }

    /** Lettuce's connection: a {@link StatefulRedisConnection} or a {@link StatefulRedisClusterConnection}. */
    public StatefulConnection<byte[], byte[]> stateful() {
        return stateful;
    }

    /** True for a Redis Cluster connection. */
    public boolean isCluster() {
        return cluster;
    }
}
