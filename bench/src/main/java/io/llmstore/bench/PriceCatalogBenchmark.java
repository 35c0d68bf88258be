package io.llmstore.bench;

import io.llmstore.core.price.Cost;
import io.llmstore.core.price.PriceCatalog;
import io.llmstore.core.price.PriceOverride;
import io.llmstore.core.price.TokenUsage;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Lookup plus cost of a known model in the bundled price catalog, on one thread (goal: at least
 * 5 million ops/s). {@link #main} measures catalog load time and retained heap instead.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PriceCatalogBenchmark {

    private PriceCatalog catalog;
    private PriceCatalog overridden;
    private TokenUsage usage;
    private Instant at;

    /** Loads the bundled catalog and warms the lookup cache. */
    @Setup
    public void setUp() {
        catalog = PriceCatalog.bundled();
        usage = TokenUsage.builder().inputTokens(12_000).cacheReadTokens(8_000).cacheWriteTokens(1_000)
                .outputTokens(700).build();
        at = Instant.parse("2026-06-01T10:00:00Z");
        // Two dated overrides on gpt-4o: the newer one's window has ended, so each call checks it and falls
        // through to the older one, which is in force: what a negotiated price renewed every year looks like.
        overridden = catalog
                .withOverride(PriceOverride.perMillionTokens("deal-2025", "openai", "gpt-4o", new BigDecimal("2"),
                        new BigDecimal("8")).effective(Instant.parse("2025-01-01T00:00:00Z"), Instant.parse("2027-01-01T00:00:00Z")))
                .withOverride(PriceOverride.perMillionTokens("trial", "openai", "gpt-4o", new BigDecimal("1"),
                        new BigDecimal("4")).effective(Instant.parse("2024-01-01T00:00:00Z"), Instant.parse("2024-02-01T00:00:00Z")));
    }

    /** Lookup by provider and model id, then the cost breakdown (tiered, dated model). */
    @Benchmark
    public Cost lookupAndCostTieredModel() {
        return catalog.cost("anthropic", "claude-sonnet-4-6", usage, at).orElseThrow();
    }

    /** Lookup by provider and model id, then the cost breakdown (flat model). */
    @Benchmark
    public Cost lookupAndCostFlatModel() {
        return catalog.cost("openai", "gpt-4o", usage, at).orElseThrow();
    }

    /** As {@link #lookupAndCostFlatModel} with two dated overrides on the model (one in force). */
    @Benchmark
    public Cost lookupAndCostOverriddenModel() {
        return overridden.cost("openai", "gpt-4o", usage, at).orElseThrow();
    }

    /**
     * Prints the time to parse the bundled catalog (first load in a fresh JVM, then the mean of
     * 20 more) and the heap it retains.
     */
    public static void main(String[] args) throws IOException {
        long t0 = System.nanoTime();
        PriceCatalog first = load();
        long firstMs = (System.nanoTime() - t0) / 1_000_000;
        for (int i = 0; i < 10; i++) {
            load();
        }
        long t1 = System.nanoTime();
        for (int i = 0; i < 20; i++) {
            load();
        }
        double warmMs = (System.nanoTime() - t1) / 20 / 1e6;
        Runtime rt = Runtime.getRuntime();
        long before = usedAfterGc(rt);
        PriceCatalog[] keep = new PriceCatalog[10];
        for (int i = 0; i < keep.length; i++) {
            keep[i] = load();
        }
        long after = usedAfterGc(rt);
        System.out.printf("%s: first load %d ms, warm load %.1f ms, retained heap ~%.1f MB per catalog%n",
                first, firstMs, warmMs, (after - before) / (double) keep.length / (1 << 20));
        System.out.println(keep.length);
    }

    private static PriceCatalog load() throws IOException {
        try (InputStream in = PriceCatalog.class.getResourceAsStream(PriceCatalog.BUNDLED_RESOURCE)) {
            return PriceCatalog.fromJson(in);
        }
    }

    private static long usedAfterGc(Runtime rt) {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
