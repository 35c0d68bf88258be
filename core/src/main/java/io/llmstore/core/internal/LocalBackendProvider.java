package io.llmstore.core.internal;

import io.llmstore.core.cache.LocalResponseCache;
import io.llmstore.core.cache.ResponseCache;
import io.llmstore.core.config.CacheSpec;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.gateway.Gateway;
import io.llmstore.core.gateway.GatewayStore;
import io.llmstore.core.health.HealthCheck;
import io.llmstore.core.ratelimit.LocalRateLimiters;
import io.llmstore.core.ratelimit.RateLimiters;
import io.llmstore.core.session.LocalSessionStore;
import io.llmstore.core.session.SessionStore;
import io.llmstore.core.spi.Backend;
import io.llmstore.core.spi.BackendContext;
import io.llmstore.core.spi.BackendProvider;
import io.llmstore.core.stats.CacheStats;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-process fallbacks (response cache, sessions, rate limiters), LOCAL TO ONE JVM, serving what no backend
 * opened before it serves (Redis, from {@code REDIS_URL} or an injected client); it logs once at INFO when it does.
 * Sizes and TTLs: {@code CACHE_LLM_RESPONSE_SIZE} (10000), {@code CACHE_LLM_RESPONSE_TTL} (1h),
 * {@code CACHE_SESSION_SIZE} (100000).
 */
public final class LocalBackendProvider implements BackendProvider {
    /** How long a caller waits for another in-JVM caller computing the same response. */
    static final Duration COMPUTE_WAIT = Duration.ofSeconds(30);

    private static final Logger log = LoggerFactory.getLogger(LocalBackendProvider.class);
    private static final Backend NOTHING = new Backend() {
        @Override
        public String name() {
            return "local";
        }

        @Override
        public <T> Optional<T> find(Class<T> type) {
            return Optional.empty();
        }

        @Override
        public List<HealthCheck> healthChecks() {
            return List.of();
        }

        @Override
        public void close() {
        }
    };

    @Override
    public String name() {
        return "local";
    }

    @Override
    public int order() {
        return 900;
    }

    /** Always: whether it serves anything is decided in {@link #open}, from what the earlier backends serve. */
    @Override
    public boolean isConfigured(StorageConfig config) {
        return true;
    }

    @Override
    public Backend open(BackendContext context) {
        if (context.ports().find(ResponseCache.class).isPresent()) {
            return NOTHING; // Redis (configured or injected) serves cache, sessions and limits
        }
        log.info("Redis is not configured (REDIS_URL unset): cache, sessions and rate limits use in-process "
                + "fallbacks local to this JVM");
        CacheSpec responses = context.config().cache("llm_response", 10_000, Duration.ofHours(1));
        CacheSpec sessions = context.config().cache("session", 100_000, Duration.ofHours(1));
        LocalResponseCache cache = new LocalResponseCache(responses.maximumSize(), responses.ttl(), COMPUTE_WAIT,
                context.clock());
        LocalSessionStore store = new LocalSessionStore(sessions.maximumSize(), context.clock());
        LocalRateLimiters limiters = new LocalRateLimiters(context.clock());
        // The gateway over PostgreSQL with the local cache tier only: other instances see a revoked key within one TTL.
        Optional<Gateway> gateway = context.ports().find(GatewayStore.class).map(db ->
                Gateway.of(db, Optional.empty(), Optional.of(limiters), context.config(), context.clock()));
        return new Backend() {
            @Override
            public String name() {
                return "local";
            }

            @Override
            public <T> Optional<T> find(Class<T> type) {
                if (type == ResponseCache.class || type == LocalResponseCache.class) {
                    return Optional.of(type.cast(cache));
                }
                if (type == SessionStore.class || type == LocalSessionStore.class) {
                    return Optional.of(type.cast(store));
                }
                if (type == RateLimiters.class || type == LocalRateLimiters.class) {
                    return Optional.of(type.cast(limiters));
                }
                if (type == Gateway.class) {
                    return gateway.map(type::cast);
                }
                return Optional.empty();
            }

            @Override
            public List<HealthCheck> healthChecks() {
                return List.of(); // nothing remote to check
            }

            @Override
            public Map<String, CacheStats> cacheStats() {
                Map<String, CacheStats> stats = new java.util.LinkedHashMap<>();
                stats.put("llm_response", cache.stats());
                gateway.ifPresent(g -> stats.putAll(g.cacheStats()));
                return stats;
            }

            @Override
            public void close() {
                // holds only heap
            }
        };
    }
}
