package io.llmstore.redis.internal;

import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions.RefreshTrigger;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.RedisClusterURIUtil;
import io.lettuce.core.resource.ClientResources;
import io.llmstore.core.config.RedisConfig;
import io.llmstore.core.error.ConfigException;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/** Builds the Lettuce {@link RedisClusterClient} for {@code REDIS_CLUSTER=true}. */
public final class ClusterClients {
    /**
     * A safety net beside the adaptive refresh: slots moved by a resharding that no command of ours ran into yet are
     * learnt within this. Failover does not wait for it (the adaptive triggers see it first).
     */
    static final Duration PERIODIC_REFRESH = Duration.ofSeconds(60);

    private ClusterClients() {
    }

    /**
     * A cluster client over the seed nodes of {@code REDIS_URL}, with the same fail-fast options as the standalone
     * client, and topology refresh on every adaptive trigger (MOVED, ASK, persistent reconnects, uncovered slot,
     * unknown node), at most once per {@code reconnectMax}: after a master dies and a replica takes its slots, commands
     * reach the new master within about {@code reconnectMax} of the promotion.
     *
     * @throws ConfigException when the seed list cannot be parsed (the message holds no part of the URL's secret)
     */
    public static RedisClusterClient create(ClientResources resources, RedisConfig redis, Duration reconnectMax) {
        List<RedisURI> seeds;
        try {
            seeds = RedisClusterURIUtil.toRedisURIs(URI.create(redis.url().reveal().trim()));
        } catch (RuntimeException e) {
            throw new ConfigException("REDIS_URL is not a valid Redis Cluster seed list: " + redis.displayUrl());
        }
        for (RedisURI seed : seeds) {
            seed.setTimeout(redis.commandTimeout());
        }
        RedisClusterClient client = RedisClusterClient.create(resources, seeds);
        client.setOptions(ClusterClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClusterClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(redis.commandTimeout()).build())
                .timeoutOptions(TimeoutOptions.enabled(redis.commandTimeout()))
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                        // every trigger Lettuce has (enableAllAdaptiveRefreshTriggers() is deprecated in 7.x)
                        .enableAdaptiveRefreshTrigger(RefreshTrigger.values())
                        // Lettuce's default is 30 s: a promotion right after a refresh would stay unseen that long.
                        .adaptiveRefreshTriggersTimeout(reconnectMax)
                        .enablePeriodicRefresh(PERIODIC_REFRESH)
                        .build())
                .build());
        return client;
    }
}
