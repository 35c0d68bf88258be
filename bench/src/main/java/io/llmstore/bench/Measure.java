package io.llmstore.bench;

import java.util.Objects;

/**
 * One row of the benchmark table: ours against a baseline measured in the same run, on the same machine and data.
 *
 * @param name      what is measured, e.g. "bulk ingest rows/s into llm_usage_metrics"
 * @param unit      "rows/s", "ops/s", "us"
 * @param ours      our number
 * @param baseline  the baseline's number, measured in the same run (NaN when the goal is absolute)
 * @param baselineName what the baseline is, e.g. "psql \\copy of the same CSV"
 * @param goal      the goal as text, e.g. "&gt;= 0.8x"
 * @param met       whether the goal was met
 * @param conditions fsync, clients, sizes: what a reader needs to compare the numbers
 */
public record Measure(String name, String unit, double ours, double baseline, String baselineName, String goal,
                      boolean met, String conditions) {
    public Measure {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(unit, "unit");
        Objects.requireNonNull(baselineName, "baselineName");
        Objects.requireNonNull(goal, "goal");
        Objects.requireNonNull(conditions, "conditions");
    }

    /** True when a baseline number is given (measured, or a published figure the baseline name says it is). */
    public boolean hasBaseline() {
        return !Double.isNaN(baseline);
    }

    /** ours / baseline; NaN without a baseline. */
    public double ratio() {
        return baseline > 0 ? ours / baseline : Double.NaN;
    }

    /**
     * A measure with an absolute goal and no baseline, e.g. "at least 5M ops/s".
     *
     * @param goal what is wanted, as text
     * @param met  whether {@code ours} meets it
     */
    public static Measure absolute(String name, String unit, double ours, String goal, boolean met, String conditions) {
        return new Measure(name, unit, ours, Double.NaN, "none (absolute goal)", goal, met, conditions);
    }

    /** A measure whose goal is "ours / baseline >= minRatio" (higher is better). */
    public static Measure ratioAtLeast(String name, String unit, double ours, double baseline, String baselineName,
                                       double minRatio, String conditions) {
        return new Measure(name, unit, ours, baseline, baselineName, ">= " + minRatio + "x",
                baseline > 0 && ours / baseline >= minRatio, conditions);
    }
}
