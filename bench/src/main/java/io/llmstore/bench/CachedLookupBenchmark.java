package io.llmstore.bench;

import io.llmstore.core.cache.LocalLookupCache;
import io.llmstore.core.config.StorageConfig;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * Cached API-key and model lookups through {@link LocalLookupCache} (the local tier a gateway puts in front of its
 * database), on one thread, every lookup a hit: throughput in ops/s and hit latency (SampleTime, p50/p99). Keys are
 * cycled through in order so each call touches a different entry. Run by {@link CachedLookupMeasures}.
 */
@State(Scope.Benchmark)
@Threads(1)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CachedLookupBenchmark {
    /** Distinct API keys looked up (a power of two, below the cache size so every lookup hits). */
    static final int API_KEYS = 8192;
    /** Distinct models looked up. */
    static final int MODELS = 256;
    /** Cache size and TTL defaults (a TTL far beyond a run, so nothing expires mid-measurement). */
    static final long API_KEY_CACHE_SIZE = 10_000;
    static final long MODEL_CACHE_SIZE = 1_000;
    static final Duration TTL = Duration.ofHours(1);

    /** What an API-key lookup returns: the key's tenant and tier. */
    public record ApiKeyRow(String apiKey, long tenantId, String tier, int requestsPerMinute) { }

    /** What a model lookup returns: the model's provider and limits. */
    public record ModelRow(String provider, String model, int contextWindow, int maxOutputTokens) { }

    private static final Function<String, ApiKeyRow> API_KEY_LOADER =
            key -> new ApiKeyRow(key, Math.floorMod(key.hashCode(), 1000), "pro", 600);
    private static final Function<String, ModelRow> MODEL_LOADER =
            model -> new ModelRow(model.substring(0, model.indexOf('/')), model, 128_000, 16_384);

    private LocalLookupCache<String, ApiKeyRow> apiKeys;
    private LocalLookupCache<String, ModelRow> models;
    private String[] apiKeyNames;
    private String[] modelNames;

    /** The position in the key lists, one per thread. */
    @State(Scope.Thread)
    public static class Cursor {
        int next;
    }

    /** Builds both caches from config (no ambient variables: the run is reproducible) and loads every key once. */
    @Setup
    public void setUp() {
        StorageConfig config = StorageConfig.builder().environment(Map.of()).systemProperties(new Properties()).build();
        apiKeys = LocalLookupCache.create(config.cache("api_key", API_KEY_CACHE_SIZE, TTL));
        models = LocalLookupCache.create(config.cache("model", MODEL_CACHE_SIZE, TTL));
        SplittableRandom random = new SplittableRandom(42);
        apiKeyNames = new String[API_KEYS];
        for (int i = 0; i < API_KEYS; i++) {
            // The shape of a real key: a prefix and 48 random characters.
            StringBuilder key = new StringBuilder("sk-live-");
            for (int c = 0; c < 48; c++) {
                key.append((char) ('a' + random.nextInt(26)));
            }
            apiKeyNames[i] = key.toString();
            apiKeys.get(apiKeyNames[i], API_KEY_LOADER);
        }
        String[] providers = {"openai", "anthropic", "google", "mistral"};
        modelNames = new String[MODELS];
        for (int i = 0; i < MODELS; i++) {
            modelNames[i] = providers[i % providers.length] + "/model-" + i + "-2026-01-01";
            models.get(modelNames[i], MODEL_LOADER);
        }
    }

    /** One API-key lookup (a hit), as ops/s. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    public ApiKeyRow apiKeyLookup(Cursor cursor) {
        return apiKeys.get(apiKeyNames[cursor.next++ & (API_KEYS - 1)], API_KEY_LOADER);
    }

    /** One model lookup (a hit), as ops/s. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    public ModelRow modelLookup(Cursor cursor) {
        return models.get(modelNames[cursor.next++ & (MODELS - 1)], MODEL_LOADER);
    }

    /** One API-key lookup (a hit), sampled for its latency distribution in ns. */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public ApiKeyRow apiKeyHitLatency(Cursor cursor) {
        return apiKeys.get(apiKeyNames[cursor.next++ & (API_KEYS - 1)], API_KEY_LOADER);
    }
}
