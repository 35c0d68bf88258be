package io.llmstore.bench;

import java.util.List;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;

/**
 * Runs {@link PriceCatalogBenchmark}: lookup plus cost of a call, one thread, against an absolute goal of 5 million
 * ops/s (there is no baseline to run: the price logic it replaces lived in each caller).
 */
public final class PriceCatalogMeasures extends JmhBenchmark {
    static final double GOAL_OPS = 5_000_000;

    @Override
    public String name() {
        return "price-catalog";
    }

    @Override
    protected Class<?> jmhClass() {
        return PriceCatalogBenchmark.class;
    }

    @Override
    protected List<Measure> measures(Map<String, RunResult> r, String conditions) {
        double flat = score(r, "lookupAndCostFlatModel");
        double overridden = score(r, "lookupAndCostOverriddenModel");
        String perCall = String.format(java.util.Locale.ROOT, "an override costs %+.1f ns/call over the flat model",
                1e9 / overridden - 1e9 / flat);
        return List.of(row(r, "lookupAndCostTieredModel", "tiered, dated model", conditions),
                row(r, "lookupAndCostFlatModel", "flat model", conditions),
                row(r, "lookupAndCostOverriddenModel", "flat model, 2 dated overrides (" + perCall + ")", conditions));
    }

    private static Measure row(Map<String, RunResult> r, String method, String model, String conditions) {
        double ops = score(r, method);
        return Measure.absolute("price lookup + cost ops/s, " + model + " (1 thread)", "ops/s", ops,
                ">= 5M ops/s", ops >= GOAL_OPS, "bundled catalog, " + scoreText(r, method) + "; " + conditions);
    }
}
