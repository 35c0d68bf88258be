package io.llmstore.examples.analytics;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.stats.CacheStats;
import io.llmstore.core.stats.ConnectionPoolStats;
import io.llmstore.core.stats.PoolStats;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;

/** How busy are my database connections, and how well is the response cache doing? */
public final class PoolAndCacheStats {
    private PoolAndCacheStats() {
    }

    /** Runs the example with {@code DATABASE_URL} and {@code REDIS_URL} from the environment. */
    public static void main(String[] args) {
        run(StorageConfig.fromEnv(), System.out);
    }

    /** Serves four prompts from the cache (two repeated), then prints the pool's counters; returns them. */
    public static PoolStats run(StorageConfig config, PrintStream out) {
        try (StoragePool pool = StoragePool.create(config)) {
            for (String prompt : new String[] {"hello", "hello", "summarise this", "summarise this"}) {
                pool.cache().getOrCompute("gpt-4o-mini", prompt, Duration.ofMinutes(10), () -> "answer to " + prompt);
            }

            PoolStats stats = pool.stats();
            ConnectionPoolStats db = stats.postgres().orElseThrow();
            out.printf("postgres: active=%d idle=%d total=%d max=%d waiting=%d utilization=%.1f%%%n",
                    db.active(), db.idle(), db.total(), db.max(), db.threadsWaiting(), db.utilizationPercent());
            for (Map.Entry<String, CacheStats> cache : stats.caches().entrySet()) {
                CacheStats c = cache.getValue();
                out.printf("cache %s: hits=%d misses=%d errors=%d hit rate=%.0f%%%n",
                        cache.getKey(), c.hits(), c.misses(), c.errors(), c.hitRate() * 100);
            }
            return stats;
        }
    }
}
