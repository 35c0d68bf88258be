package io.llmstore.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.llmstore.core.cache.ResponseCache;
import io.llmstore.core.config.CoreSettings;
import io.llmstore.core.config.RedisConfig;
import io.llmstore.core.config.Settings;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.error.ConfigException;
import io.llmstore.core.error.ConnectionException;
import io.llmstore.core.gateway.BudgetAlerts;
import io.llmstore.core.gateway.Gateway;
import io.llmstore.core.gateway.GatewayStore;
import io.llmstore.core.health.HealthCheck;
import io.llmstore.core.ratelimit.RateLimiters;
import io.llmstore.core.session.SessionStore;
import io.llmstore.core.spi.Backend;
import io.llmstore.core.spi.BackendContext;
import io.llmstore.core.spi.BackendProvider;
import io.llmstore.core.stats.CacheStats;
import io.llmstore.core.stats.RateLimiterStats;
import io.llmstore.redis.gateway.RedisBudgetCounter;
import io.llmstore.redis.gateway.RedisCacheTier;
import io.llmstore.redis.internal.ClusterClients;
import io.llmstore.redis.internal.LuaScript;
import io.llmstore.redis.internal.RedisConnector;
import io.llmstore.redis.internal.RedisErrors;
import io.llmstore.redis.internal.RedisLink;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens Redis when {@code REDIS_URL} is set: a Lettuce {@link RedisClient} (TLS for {@code rediss://}, database
 * index and credentials from the URL, every command bounded by {@code REDIS_COMMAND_TIMEOUT}) and one shared
 * connection, serving {@link ResponseCache}, {@link SessionStore} and {@link RateLimiters}. Registered with
 * ServiceLoader; order 200.
 *
 * <p>Redis is not critical: when it cannot be reached at start-up (after {@code DB_RETRY_*} attempts) the pool still
 * opens, health reports redis DOWN (the pool DEGRADED), the cache fails open, limiters follow their failure policy,
 * and the connection is retried on use at most every {@code REDIS_RECONNECT_MAX_DELAY} (1 s). A connection lost
 * later is reconnected by Lettuce with a doubling backoff capped by the same setting. Through {@code pool.client(..)}: {@code RedisClient}
 * and, once connected, the {@code StatefulRedisConnection<byte[], byte[]>} (both owned by the pool: do not close).
 *
 * <p>Redis Cluster: with {@code REDIS_CLUSTER=true}, {@code REDIS_URL} lists seed nodes in Lettuce's form
 * ({@code redis://[:pass@]host1:port1,host2:port2}) and a {@link RedisClusterClient} serves the same features; every
 * command and script touches one hash slot, so nothing else changes. Its topology is refreshed on Lettuce's adaptive
 * triggers at most every {@code REDIS_RECONNECT_MAX_DELAY} (and every 60 s), so after a failover commands reach the
 * promoted replica within about that. {@link #using(RedisClusterClient)} takes a cluster client the application
 * already holds. Through {@code pool.client(..)}: {@code RedisClusterClient} and the
 * {@code StatefulRedisClusterConnection<byte[], byte[]>}.
 */
public final class RedisBackendProvider implements BackendProvider {
    private static final Logger log = LoggerFactory.getLogger(RedisBackendProvider.class);

    /** A standalone client the application gave ({@link #using(RedisClient)}); null: none. */
    private final RedisClient givenClient;
    /** A cluster client the application gave ({@link #using(RedisClusterClient)}); null: none. */
    private final RedisClusterClient givenCluster;

    /** The provider ServiceLoader finds: builds its client from {@code REDIS_URL} ({@code REDIS_CLUSTER}). */
    public RedisBackendProvider() {
        this(null, null);
    }

    private RedisBackendProvider(RedisClient givenClient, RedisClusterClient givenCluster) {
        this.givenClient = givenClient;
        this.givenCluster = givenCluster;
    }

    /**
     * A provider over the application's own Lettuce client:
     * {@code StoragePool.builder(config).backend(RedisBackendProvider.using(redisClient))}. It replaces the
     * ServiceLoader one and is configured even without {@code REDIS_URL}.
     *
     * <p>The client is used as given and <b>never shut down</b> by the pool (nor its {@code ClientResources}); the
     * pool opens one connection of its own through it ({@code client.connect(codec)} to the client's default URI,
     * or to {@code REDIS_URL} when that is set) and closes only that connection. The client's options (reconnect,
     * disconnected behaviour, TLS) are the application's and are not changed; the pool's connection gets
     * {@code REDIS_COMMAND_TIMEOUT} as its command timeout. For the pool's fail-fast behaviour during an outage, build
     * the client with {@code ClientOptions.DisconnectedBehavior.REJECT_COMMANDS}; with Lettuce's default, commands
     * queue while disconnected and fail after the command timeout. {@code pool.client(RedisClient.class)} returns it.
     *
     * @param redisClient the application's client; not shut down by the pool
     */
    public static RedisBackendProvider using(RedisClient redisClient) {
        return new RedisBackendProvider(Objects.requireNonNull(redisClient, "redisClient"), null);
    }

    /**
     * A provider over a Redis Cluster client the application already holds:
     * {@code StoragePool.builder(config).backend(RedisBackendProvider.using(clusterClient))}. It replaces the
     * ServiceLoader-found provider, and is used whether or not {@code REDIS_URL} is set ({@code REDIS_URL},
     * {@code REDIS_CLUSTER} are then ignored; {@code REDIS_COMMAND_TIMEOUT} still bounds each command of the pool's
     * connection). The client is used as given: its options (topology refresh, reconnects, TLS) are the
     * application's, and it is <b>never closed</b> by the pool; the pool opens one connection of its own through it
     * and closes only that.
     *
     * @param client the application's cluster client, not null
     */
    public static RedisBackendProvider using(RedisClusterClient client) {
        return new RedisBackendProvider(null, Objects.requireNonNull(client, "client"));
    }

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public int order() {
        return 200;
    }

    @Override
    public boolean isConfigured(StorageConfig config) {
        return givenClient != null || givenCluster != null || config.redis().isPresent();
    }

    @Override
    public Backend open(BackendContext context) {
        Settings settings = context.config().settings();
        String prefix = settings.string(RedisSettings.REDIS_KEY_PREFIX).orElse("");
        if (prefix.indexOf('{') >= 0 || prefix.indexOf('}') >= 0) {
            throw new ConfigException("REDIS_KEY_PREFIX must not contain '{' or '}' (they would change the cluster"
                    + " hash tag of every key), was '" + prefix + "'");
        }
        Duration cacheTtl = positive(settings, RedisSettings.CACHE_LLM_RESPONSE_TTL);
        Duration lockTtl = positive(settings, RedisSettings.REDIS_CACHE_LOCK_TTL);
        Duration lockWait = settings.duration(RedisSettings.REDIS_CACHE_LOCK_WAIT);
        Duration reconnectMax = positive(settings, RedisSettings.REDIS_RECONNECT_MAX_DELAY);
        LuaScript acquire = LuaScript.load("rate_limit.lua");
        LuaScript acquireFixedWindow = LuaScript.load("rate_limit_fw.lua");
        LuaScript settle = LuaScript.load("rate_limit_settle.lua");
        LuaScript release = LuaScript.load("lock_release.lua");
        List<Consumer<RedisLink>> onConnect = List.of(c -> {
            for (LuaScript script : List.of(acquire, acquireFixedWindow, settle, release)) {
                script.loadInto(c.sync());
            }
        });

        Optional<RedisConfig> configured = context.config().redis();
        if (givenCluster != null || configured.map(RedisConfig::cluster).orElse(false)) {
            Duration timeout = configured.map(RedisConfig::commandTimeout)
                    .orElseGet(() -> settings.duration(CoreSettings.REDIS_COMMAND_TIMEOUT));
            String display = givenCluster != null ? "the application's RedisClusterClient"
                    : "Redis Cluster " + configured.get().displayUrl();
            ClientResources clusterResources = givenCluster != null ? null : DefaultClientResources.builder()
                    .reconnectDelay(Delay.exponential(Duration.ofMillis(1), reconnectMax, 2, TimeUnit.MILLISECONDS))
                    .build();
            RedisClusterClient cluster;
            try {
                cluster = givenCluster != null ? givenCluster
                        : ClusterClients.create(clusterResources, configured.get(), reconnectMax);
            } catch (RuntimeException e) {
                clusterResources.shutdown(0, 2, TimeUnit.SECONDS);
                throw e;
            }
            RedisConnector connector = new RedisConnector(() -> {
                StatefulRedisClusterConnection<byte[], byte[]> c = cluster.connect(ByteArrayCodec.INSTANCE);
                c.setTimeout(timeout); // bounds our commands even on a client whose default timeout is Lettuce's 60 s
                return RedisLink.of(c);
            }, display, reconnectMax, onConnect);
            Runnable shutdown = givenCluster != null ? () -> { } : () -> {
                try {
                    cluster.shutdown(0, 2, TimeUnit.SECONDS); // we created it; bounded
                } finally {
                    clusterResources.shutdown(0, 2, TimeUnit.SECONDS);
                }
            };
            return connectAndWire(context, connector, display, timeout, prefix, cacheTtl, lockTtl, lockWait,
                    cluster, shutdown, () -> cluster.connectPubSub(StringCodec.UTF8), acquire, acquireFixedWindow,
                    settle, release);
        }
        Duration commandTimeout = configured.map(RedisConfig::commandTimeout)
                .orElseGet(() -> settings.duration(CoreSettings.REDIS_COMMAND_TIMEOUT));
        if (commandTimeout.isZero()) {
            throw settings.invalid(CoreSettings.REDIS_COMMAND_TIMEOUT, "a duration > 0 such as 500ms");
        }
        if (givenClient == null && configured.isEmpty()) {
            throw new ConfigException("REDIS_URL is not set");
        }
        String display = configured.map(RedisConfig::displayUrl).orElse("the application's RedisClient");
        RedisURI uri = null;
        if (configured.isPresent()) {
            try {
                uri = RedisURI.create(configured.get().url().reveal());
            } catch (RuntimeException e) {
                // Lettuce's message may quote the URL: never pass it on.
                throw new ConfigException("REDIS_URL is not a valid Redis URL: " + display);
            }
            uri.setTimeout(commandTimeout);
        }
        if (givenClient != null) {
            RedisURI target = uri;
            RedisConnector connector = new RedisConnector(() -> {
                StatefulRedisConnection<byte[], byte[]> c = target == null ? givenClient.connect(ByteArrayCodec.INSTANCE)
                        : givenClient.connect(ByteArrayCodec.INSTANCE, target);
                c.setTimeout(commandTimeout); // the client's options stay the application's; our connection is bounded
                return RedisLink.of(c);
            }, display, reconnectMax, onConnect);
            // The application's client and its resources stay as they are: nothing to shut down.
            return connectAndWire(context, connector, display, commandTimeout, prefix, cacheTtl, lockTtl, lockWait,
                    givenClient, () -> { }, () -> target == null ? givenClient.connectPubSub(StringCodec.UTF8)
                            : givenClient.connectPubSub(StringCodec.UTF8, target),
                    acquire, acquireFixedWindow, settle, release);
        }
        // Lettuce's default reconnect backoff doubles up to 30 s, so after a 20 s outage Redis stayed unused for
        // another ~12 s (FAIL_CLOSED refusing against a healthy server). Same doubling, capped by the setting.
        ClientResources resources = DefaultClientResources.builder()
                .reconnectDelay(Delay.exponential(Duration.ofMillis(1), reconnectMax, 2, TimeUnit.MILLISECONDS))
                .build();
        RedisClient client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                // Fail fast while disconnected instead of queueing: callers fail open within the timeout.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(commandTimeout).build())
                .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                .build());

        RedisConnector connector = new RedisConnector(() -> RedisLink.of(client.connect(ByteArrayCodec.INSTANCE)),
                display, reconnectMax, onConnect);
        return connectAndWire(context, connector, display, commandTimeout, prefix, cacheTtl, lockTtl,
                lockWait, client, () -> {
                    try {
                        client.shutdown(0, 2, TimeUnit.SECONDS); // we created it; bounded
                    } finally {
                        resources.shutdown(0, 2, TimeUnit.SECONDS); // the client never shuts down resources it was given
                    }
                }, () -> client.connectPubSub(StringCodec.UTF8), acquire, acquireFixedWindow, settle, release);
    }

    /** Connects (within the start-up retry; DEGRADED when unreachable) and builds the features over the connector. */
    private static Backend connectAndWire(BackendContext context, RedisConnector connector, String display,
                                          Duration commandTimeout, String prefix, Duration cacheTtl, Duration lockTtl,
                                          Duration lockWait, Object client, Runnable shutdown,
                                          Supplier<StatefulRedisPubSubConnection<String, String>> pubSub,
                                          LuaScript acquire,
                                          LuaScript acquireFixedWindow, LuaScript settle, LuaScript release) {
        try {
            context.retry().connect("Redis", connector::connectNow);
        } catch (ConnectionException e) {
            connector.markUnavailable(e.getMessage());
            log.warn("Redis at {} is unreachable; starting DEGRADED: the response cache fails open, rate limiters"
                    + " follow their failure policy, and each use retries the connection at most every {} ({})",
                    display, context.config().settings().string(RedisSettings.REDIS_RECONNECT_MAX_DELAY).orElse("1s"),
                    e.getMessage());
        }

        RedisResponseCache cache = new RedisResponseCache(connector, release, prefix, cacheTtl, lockTtl, lockWait);
        RedisSessionStore sessions = new RedisSessionStore(connector, prefix);
        RedisRateLimiters limiters = new RedisRateLimiters(connector, acquire, acquireFixedWindow, settle, prefix,
                commandTimeout);
        // The gateway, when PostgreSQL serves its store: Redis adds the shared tier and the invalidation channel.
        Optional<GatewayStore> store = context.ports().find(GatewayStore.class);
        RedisCacheTier tier = store.isPresent() ? new RedisCacheTier(connector, prefix, commandTimeout, pubSub) : null;
        Gateway gateway = store.map(s -> Gateway.of(s, Optional.of(tier), Optional.of(limiters),
                Optional.of(new RedisBudgetCounter(connector, prefix)),
                () -> context.ports().find(BudgetAlerts.class), context.config(), context.clock())).orElse(null);
        return new RedisBackend(shutdown, client, connector, cache, sessions, limiters, display, commandTimeout,
                gateway, tier);
    }

    private static Duration positive(Settings settings, io.llmstore.core.config.Setting setting) {
        Duration d = settings.duration(setting);
        if (d.toMillis() < 1) {
            throw settings.invalid(setting, "a duration >= 1ms such as 30s");
        }
        return d;
    }

    private static final class RedisBackend implements Backend {
        /** Shuts down what the provider built (client, resources); nothing for a client the application gave. */
        private final Runnable shutdown;
        /** The {@link RedisClient} or {@link RedisClusterClient}. */
        private final Object client;
        private final RedisConnector connector;
        private final RedisResponseCache cache;
        private final RedisSessionStore sessions;
        private final RedisRateLimiters limiters;
        private final String display;
        private final Duration commandTimeout;
        /** The gateway with its Redis tier; null when PostgreSQL serves no gateway store. */
        private final Gateway gateway;
        private final RedisCacheTier tier;
        private final AtomicBoolean closed = new AtomicBoolean();

        RedisBackend(Runnable shutdown, Object client, RedisConnector connector, RedisResponseCache cache,
                     RedisSessionStore sessions, RedisRateLimiters limiters, String display, Duration commandTimeout,
                     Gateway gateway, RedisCacheTier tier) {
            this.shutdown = shutdown;
            this.client = client;
            this.connector = connector;
            this.cache = cache;
            this.sessions = sessions;
            this.limiters = limiters;
            this.display = display;
            this.commandTimeout = commandTimeout;
            this.gateway = gateway;
            this.tier = tier;
        }

        @Override
        public String name() {
            return "redis";
        }

        @Override
        public <T> Optional<T> find(Class<T> type) {
            Object found = null;
            if (type == ResponseCache.class || type == RedisResponseCache.class) {
                found = cache;
            } else if (type == SessionStore.class || type == RedisSessionStore.class) {
                found = sessions;
            } else if (type == RateLimiters.class || type == RedisRateLimiters.class) {
                found = limiters;
            } else if (type == Gateway.class) {
                found = gateway;
            } else if (type == RedisCacheTier.class) {
                found = tier;
            } else if (type == RedisClient.class || type == RedisClusterClient.class) {
                found = type.isInstance(client) ? client : null;
            } else if ((type == StatefulRedisConnection.class || type == StatefulRedisClusterConnection.class)
                    && connector.isConnected()) {
                Object stateful = connector.connection().stateful();
                found = type.isInstance(stateful) ? stateful : null;
            }
            return Optional.ofNullable(found).map(type::cast);
        }

        @Override
        public List<HealthCheck> healthChecks() {
            // Not critical: without Redis the pool is DEGRADED (cache misses, limiters by policy), not DOWN.
            return List.of(HealthCheck.of("redis", false, commandTimeout, () -> {
                try {
                    RedisLink link = connector.connection();
                    String pong = link.sync().ping();
                    if (!"PONG".equals(pong)) {
                        throw new IllegalStateException("PING answered " + pong);
                    }
                    if (link.isCluster()) {
                        // A master down and not yet replaced leaves its slots unserved: the cluster says so.
                        String info = link.sync().clusterInfo();
                        if (!info.contains("cluster_state:ok")) {
                            throw new IllegalStateException("CLUSTER INFO says " + info.lines()
                                    .filter(l -> l.startsWith("cluster_state") || l.startsWith("cluster_slots_ok"))
                                    .map(String::strip).reduce((a, b) -> a + ", " + b).orElse("no cluster_state"));
                        }
                    }
                } catch (RuntimeException e) {
                    throw RedisErrors.translate("PING to " + display, e);
                }
            }));
        }

        @Override
        public Map<String, CacheStats> cacheStats() {
            Map<String, CacheStats> stats = new java.util.LinkedHashMap<>();
            stats.put("llm_response", cache.stats());
            if (gateway != null) {
                stats.putAll(gateway.cacheStats());
            }
            return stats;
        }

        @Override
        public Optional<RateLimiterStats> rateLimiterStats() {
            return Optional.of(limiters.stats());
        }

        @Override
        public void close() {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            try {
                if (tier != null) {
                    tier.close();
                }
                connector.close();
            } finally {
                shutdown.run();
            }
        }

        @Override
        public String toString() {
            return "RedisBackend{" + display + ", commandTimeout=" + commandTimeout + "}";
        }
    }
}
