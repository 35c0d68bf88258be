package io.llmstore.bench;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.results.RunResult;

/**
 * Runs {@link CachedLookupBenchmark} and compares it with the LLM gateway guide's published figures (50k API-key
 * lookups/s and 100k model lookups/s, under 1 ms per cache hit). Those baselines are fixed numbers from the guide,
 * not measured in this run, and each row says so.
 */
public final class CachedLookupMeasures extends JmhBenchmark {
    static final double GUIDE_API_KEY_OPS = 50_000;
    static final double GUIDE_MODEL_OPS = 100_000;
    static final double GUIDE_HIT_LATENCY_US = 1_000;

    @Override
    public String name() {
        return "cached-lookup";
    }

    @Override
    protected Class<?> jmhClass() {
        return CachedLookupBenchmark.class;
    }

    @Override
    protected List<Measure> measures(Map<String, RunResult> r, String conditions) {
        String cache = "1 thread, every lookup a hit, LocalLookupCache (Caffeine)";
        double p50 = percentile(r, "apiKeyHitLatency", 50, TimeUnit.NANOSECONDS, TimeUnit.MICROSECONDS);
        double p99 = percentile(r, "apiKeyHitLatency", 99, TimeUnit.NANOSECONDS, TimeUnit.MICROSECONDS);
        String latencyConditions = cache + ", " + CachedLookupBenchmark.API_KEYS + " API keys, JMH SampleTime (timer"
                + " resolution included); " + conditions;
        return List.of(
                Measure.ratioAtLeast("cached API-key lookup ops/s (1 thread)", "ops/s", score(r, "apiKeyLookup"),
                        GUIDE_API_KEY_OPS, "gateway guide's 50k/s (published figure, not measured)", 100,
                        cache + ", " + CachedLookupBenchmark.API_KEYS + " keys in a "
                                + CachedLookupBenchmark.API_KEY_CACHE_SIZE + "-entry cache, "
                                + scoreText(r, "apiKeyLookup") + "; " + conditions),
                Measure.ratioAtLeast("cached model lookup ops/s (1 thread)", "ops/s", score(r, "modelLookup"),
                        GUIDE_MODEL_OPS, "gateway guide's 100k/s (published figure, not measured)", 100,
                        cache + ", " + CachedLookupBenchmark.MODELS + " models in a "
                                + CachedLookupBenchmark.MODEL_CACHE_SIZE + "-entry cache, "
                                + scoreText(r, "modelLookup") + "; " + conditions),
                new Measure("cache-hit latency p50, local tier", "us", p50, GUIDE_HIT_LATENCY_US,
                        "gateway guide's < 1 ms (published figure, not measured)", "< 1000 us", p50 < 1000,
                        latencyConditions),
                new Measure("cache-hit latency p99, local tier", "us", p99, GUIDE_HIT_LATENCY_US,
                        "gateway guide's < 1 ms (published figure, not measured)", "< 10 us", p99 < 10,
                        latencyConditions));
    }
}
