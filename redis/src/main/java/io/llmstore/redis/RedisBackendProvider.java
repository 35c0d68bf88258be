package io.llmstore.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.llmstore.core.cache.ResponseCache;
import io.llmstore.core.config.RedisConfig;
import io.llmstore.core.config.Settings;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.error.ConfigException;
import io.llmstore.core.error.ConnectionException;
import io.llmstore.core.health.HealthCheck;
import io.llmstore.core.ratelimit.RateLimiters;
import io.llmstore.core.session.SessionStore;
import io.llmstore.core.spi.Backend;
import io.llmstore.core.spi.BackendContext;
import io.llmstore.core.spi.BackendProvider;
import io.llmstore.core.stats.CacheStats;
import io.llmstore.core.stats.RateLimiterStats;
import io.llmstore.redis.internal.LuaScript;
import io.llmstore.redis.internal.RedisConnector;
import io.llmstore.redis.internal.RedisErrors;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
 */
public final class RedisBackendProvider implements BackendProvider {
    private static final Logger log = LoggerFactory.getLogger(RedisBackendProvider.class);

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
        return config.redis().isPresent();
    }

    @Override
    public Backend open(BackendContext context) {
        RedisConfig redis = context.config().redis().orElseThrow(() -> new ConfigException("REDIS_URL is not set"));
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

        RedisURI uri;
        try {
            uri = RedisURI.create(redis.url().reveal());
        } catch (RuntimeException e) {
            // Lettuce's message may quote the URL: never pass it on.
            throw new ConfigException("REDIS_URL is not a valid Redis URL: " + redis.displayUrl());
        }
        uri.setTimeout(redis.commandTimeout());
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
                .socketOptions(SocketOptions.builder().connectTimeout(redis.commandTimeout()).build())
                .timeoutOptions(TimeoutOptions.enabled(redis.commandTimeout()))
                .build());

        LuaScript acquire = LuaScript.load("rate_limit.lua");
        LuaScript acquireFixedWindow = LuaScript.load("rate_limit_fw.lua");
        LuaScript settle = LuaScript.load("rate_limit_settle.lua");
        LuaScript release = LuaScript.load("lock_release.lua");
        RedisConnector connector = new RedisConnector(client, redis.displayUrl(), reconnectMax, List.of(c -> {
            for (LuaScript script : List.of(acquire, acquireFixedWindow, settle, release)) {
                script.loadInto(c.sync());
            }
        }));
        try {
            context.retry().connect("Redis", connector::connectNow);
        } catch (ConnectionException e) {
            connector.markUnavailable(e.getMessage());
            log.warn("Redis at {} is unreachable; starting DEGRADED: the response cache fails open, rate limiters"
                    + " follow their failure policy, and each use retries the connection at most every {} ({})",
                    redis.displayUrl(), reconnectMax, e.getMessage());
        }

        RedisResponseCache cache = new RedisResponseCache(connector, release, prefix, cacheTtl, lockTtl, lockWait);
        RedisSessionStore sessions = new RedisSessionStore(connector, prefix);
        RedisRateLimiters limiters = new RedisRateLimiters(connector, acquire, acquireFixedWindow, settle, prefix,
                redis.commandTimeout());
        return new RedisBackend(resources, client, connector, cache, sessions, limiters, redis);
    }

    private static Duration positive(Settings settings, io.llmstore.core.config.Setting setting) {
        Duration d = settings.duration(setting);
        if (d.toMillis() < 1) {
            throw settings.invalid(setting, "a duration >= 1ms such as 30s");
        }
        return d;
    }

    private static final class RedisBackend implements Backend {
        private final ClientResources resources;
        private final RedisClient client;
        private final RedisConnector connector;
        private final RedisResponseCache cache;
        private final RedisSessionStore sessions;
        private final RedisRateLimiters limiters;
        private final RedisConfig config;
        private final AtomicBoolean closed = new AtomicBoolean();

        RedisBackend(ClientResources resources, RedisClient client, RedisConnector connector, RedisResponseCache cache,
                     RedisSessionStore sessions, RedisRateLimiters limiters, RedisConfig config) {
            this.resources = resources;
            this.client = client;
            this.connector = connector;
            this.cache = cache;
            this.sessions = sessions;
            this.limiters = limiters;
            this.config = config;
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
            } else if (type == RedisClient.class) {
                found = client;
            } else if (type == StatefulRedisConnection.class && connector.isConnected()) {
                found = connector.connection();
            }
            return Optional.ofNullable(found).map(type::cast);
        }

        @Override
        public List<HealthCheck> healthChecks() {
            // Not critical: without Redis the pool is DEGRADED (cache misses, limiters by policy), not DOWN.
            return List.of(HealthCheck.of("redis", false, config.commandTimeout(), () -> {
                try {
                    String pong = connector.connection().sync().ping();
                    if (!"PONG".equals(pong)) {
                        throw new IllegalStateException("PING answered " + pong);
                    }
                } catch (RuntimeException e) {
                    throw RedisErrors.translate("PING to " + config.displayUrl(), e);
                }
            }));
        }

        @Override
        public Map<String, CacheStats> cacheStats() {
            return Map.of("llm_response", cache.stats());
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
                connector.close();
            } finally {
                try {
                    client.shutdown(0, 2, TimeUnit.SECONDS); // we created it; bounded
                } finally {
                    resources.shutdown(0, 2, TimeUnit.SECONDS); // the client never shuts down resources it was given
                }
            }
        }

        @Override
        public String toString() {
            return "RedisBackend{" + config + "}";
        }
    }
}
