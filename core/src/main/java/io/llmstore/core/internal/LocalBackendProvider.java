package io.llmstore.core.internal;

import io.llmstore.core.cache.LocalResponseCache;
import io.llmstore.core.cache.ResponseCache;
import io.llmstore.core.config.CacheSpec;
import io.llmstore.core.config.StorageConfig;
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

/**
 * The in-process fallbacks (response cache, sessions, rate limiters), LOCAL TO ONE JVM, opened when Redis is not
 * configured ({@code REDIS_URL} unset). {@code StoragePool} logs once at INFO that they are in use.
 * Sizes and TTLs: {@code CACHE_LLM_RESPONSE_SIZE} (10000), {@code CACHE_LLM_RESPONSE_TTL} (1h),
 * {@code CACHE_SESSION_SIZE} (100000).
 */
public final class LocalBackendProvider implements BackendProvider {
    /** How long a caller waits for another in-JVM caller computing the same response. */
    static final Duration COMPUTE_WAIT = Duration.ofSeconds(30);

    @Override
    public String name() {
        return "local";
    }

    @Override
    public int order() {
        return 900;
    }

    @Override
    public boolean isConfigured(StorageConfig config) {
        return config.redis().isEmpty();
    }

    @Override
    public Backend open(BackendContext context) {
        CacheSpec responses = context.config().cache("llm_response", 10_000, Duration.ofHours(1));
        CacheSpec sessions = context.config().cache("session", 100_000, Duration.ofHours(1));
        LocalResponseCache cache = new LocalResponseCache(responses.maximumSize(), responses.ttl(), COMPUTE_WAIT,
                context.clock());
        LocalSessionStore store = new LocalSessionStore(sessions.maximumSize(), context.clock());
        LocalRateLimiters limiters = new LocalRateLimiters(context.clock());
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
                return Optional.empty();
            }

            @Override
            public List<HealthCheck> healthChecks() {
                return List.of(); // nothing remote to check
            }

            @Override
            public Map<String, CacheStats> cacheStats() {
                return Map.of("llm_response", cache.stats());
            }

            @Override
            public void close() {
                // holds only heap
            }
        };
    }
}
