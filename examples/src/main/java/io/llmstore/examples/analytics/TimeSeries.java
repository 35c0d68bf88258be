package io.llmstore.examples.analytics;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.usage.UsageBucket;
import io.llmstore.core.usage.UsageFilter;
import io.llmstore.core.usage.UsageMetric;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/** How did requests, tokens, cost and latency move hour by hour? */
public final class TimeSeries {
    private TimeSeries() {
    }

    /** Runs the example with {@code DATABASE_URL} (or {@code DB_*}) from the environment. */
    public static void main(String[] args) {
        run(StorageConfig.fromEnv(), System.out);
    }

    /** Records calls over the last three hours, then prints one line per hour and model; returns the buckets. */
    public static List<UsageBucket> run(StorageConfig config, PrintStream out) {
        try (StoragePool pool = StoragePool.create(config)) {
            pool.usage().migrate();
            Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS);
            List<UsageMetric> calls = new ArrayList<>();
            for (int h = 0; h < 3; h++) {
                for (int i = 0; i <= h; i++) { // one call in the oldest hour, three in the newest
                    calls.add(UsageMetric.builder().time(hour.minus(Duration.ofHours(2 - h)).plusSeconds(60L * i))
                            .provider("openai").model("gpt-4o").tokens(1_000, 200)
                            .costUsd(new BigDecimal("0.004500")).latencyMs(300 + 100 * i).build());
                }
            }
            pool.usage().recordAll(calls);

            UsageFilter window = UsageFilter.between(hour.minus(Duration.ofHours(2)), hour.plus(Duration.ofHours(1)));
            List<UsageBucket> series = pool.analytics().timeSeries(window, Duration.ofHours(1));
            for (UsageBucket b : series) {
                out.printf("%s %-8s requests=%d tokens=%d cost=%s avg latency=%.0f ms%n", b.bucketStart(), b.modelId(),
                        b.requests(), b.tokenTotal(), b.costUsd().toPlainString(), b.avgLatencyMs());
            }
            return series;
        }
    }
}
