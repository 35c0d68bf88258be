package io.llmstore.core.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmstore.core.config.CacheSpec;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.stats.CacheStats;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LocalLookupCacheUnitTest {

    /** A clock the test moves by hand. */
    static final class MovableClock extends Clock {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private static StorageConfig config(Map<String, String> env) {
        return StorageConfig.builder().environment(env).systemProperties(new Properties()).build();
    }

    @Test
    void loaderRunsOncePerKeyAndLaterLookupsAreCountedAsHits() {
        LocalLookupCache<String, String> cache = LocalLookupCache.create(new CacheSpec("api_key", 100, Duration.ofMinutes(5)));
        AtomicInteger loads = new AtomicInteger();

        for (int i = 0; i < 3; i++) {
            assertThat(cache.get("sk-1", k -> "tenant-of-" + k + "#" + loads.incrementAndGet())).isEqualTo("tenant-of-sk-1#1");
        }

        assertThat(loads).hasValue(1);
        assertThat(cache.stats()).isEqualTo(new CacheStats(2, 1, 0));
        assertThat(cache.stats().hitRate()).isEqualTo(2.0 / 3);
    }

    @Test
    void entriesExpireOneTtlAfterTheyWereWritten() {
        MovableClock clock = new MovableClock();
        LocalLookupCache<String, String> cache = LocalLookupCache.create(new CacheSpec("model", 100, Duration.ofMinutes(5)), clock);
        cache.put("gpt-4o", "row-1");

        clock.advance(Duration.ofMinutes(4));
        assertThat(cache.getIfPresent("gpt-4o")).contains("row-1");

        clock.advance(Duration.ofMinutes(1).plusSeconds(1));
        assertThat(cache.getIfPresent("gpt-4o")).isEmpty();
        assertThat(cache.get("gpt-4o", k -> "row-2")).isEqualTo("row-2");
    }

    @Test
    void sizeAndTtlComeFromTheCacheVariablesOfTheConfig() {
        StorageConfig config = config(Map.of("CACHE_API_KEY_SIZE", "2", "CACHE_API_KEY_TTL", "30s"));

        LocalLookupCache<String, String> cache = LocalLookupCache.create(config.cache("api_key", 10_000, Duration.ofMinutes(5)));

        assertThat(cache.spec()).isEqualTo(new CacheSpec("api_key", 2, Duration.ofSeconds(30)));
        for (int i = 0; i < 50; i++) {
            cache.put("k" + i, "v" + i);
        }
        // Caffeine evicts in amortised maintenance; the size settles at the cap.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(cache.estimatedSize()).isLessThanOrEqualTo(2));
    }

    @Test
    void defaultsApplyWhenTheVariablesAreUnset() {
        LocalLookupCache<String, String> cache = LocalLookupCache.create(config(Map.of()).cache("model", 500, Duration.ofMinutes(10)));

        assertThat(cache.spec()).isEqualTo(new CacheSpec("model", 500, Duration.ofMinutes(10)));
        assertThat(cache).hasToString("model(size=500, ttl=10m) hits=0 misses=0 errors=0");
    }

    @Test
    void anUnknownKeyIsNotCachedSoItIsLookedUpAgain() {
        LocalLookupCache<String, String> cache = LocalLookupCache.create(new CacheSpec("api_key", 100, Duration.ofMinutes(5)));
        AtomicInteger loads = new AtomicInteger();

        assertThat(cache.get("sk-unknown", k -> { loads.incrementAndGet(); return null; })).isNull();
        assertThat(cache.get("sk-unknown", k -> { loads.incrementAndGet(); return null; })).isNull();

        assertThat(loads).hasValue(2);
        assertThat(cache.stats()).isEqualTo(new CacheStats(0, 2, 0));
    }

    @Test
    void aFailingLoaderReachesTheCallerCachesNothingAndCountsAnError() {
        LocalLookupCache<String, String> cache = LocalLookupCache.create(new CacheSpec("api_key", 100, Duration.ofMinutes(5)));

        assertThatThrownBy(() -> cache.get("sk-1", k -> { throw new IllegalStateException("database down"); }))
                .isInstanceOf(IllegalStateException.class).hasMessage("database down");

        assertThat(cache.get("sk-1", k -> "tenant")).isEqualTo("tenant");
        assertThat(cache.stats()).isEqualTo(new CacheStats(0, 2, 1));
    }

    @Test
    void invalidatedKeysAreLoadedAgain() {
        LocalLookupCache<String, String> cache = LocalLookupCache.create(new CacheSpec("api_key", 100, Duration.ofMinutes(5)));
        cache.put("sk-1", "tenant-a");
        cache.put("sk-2", "tenant-b");

        cache.invalidate("sk-1");
        assertThat(cache.get("sk-1", k -> "tenant-a2")).isEqualTo("tenant-a2");
        assertThat(cache.getIfPresent("sk-2")).contains("tenant-b");

        cache.invalidateAll();
        assertThat(cache.getIfPresent("sk-2")).isEmpty();
    }
}
