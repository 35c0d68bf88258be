package io.llmstore.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmstore.core.StoragePool;
import io.llmstore.core.cache.LocalResponseCache;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.ratelimit.LocalRateLimiters;
import io.llmstore.core.ratelimit.RateLimit;
import io.llmstore.core.session.LocalSessionStore;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Without REDIS_URL, the pool hands out the in-process cache, sessions and limiters. */
class LocalFallbacksTest {
    @Test
    void aPoolWithoutRedisServesCacheSessionsAndLimitersFromThisJvm() {
        StorageConfig config = StorageConfig.builder().set("CACHE_LLM_RESPONSE_TTL", "2h").build();
        try (StoragePool pool = StoragePool.create(config)) {
            assertThat(pool.cache()).isInstanceOf(LocalResponseCache.class);
            assertThat(pool.cache().defaultTtl()).isEqualTo(Duration.ofHours(2));
            assertThat(pool.sessions()).isInstanceOf(LocalSessionStore.class);
            assertThat(pool.limits()).isInstanceOf(LocalRateLimiters.class);

            pool.cache().put("m", "p", "r");
            assertThat(pool.cache().get("m", "p")).contains("r");
            pool.sessions().create("s", Map.of("a", 1), Duration.ofMinutes(1));
            assertThat(pool.sessions().get("s")).contains(Map.of("a", 1));
            assertThat(pool.limits().limiter(RateLimit.of("rpm", 1, Duration.ofMinutes(1)))
                    .tryAcquire("u").allowed()).isTrue();
            assertThat(pool.stats().caches()).containsKey("llm_response");
            assertThat(pool.healthCheck().isUp()).isTrue();
        }
    }
}
