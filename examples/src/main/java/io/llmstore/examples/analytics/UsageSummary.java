package io.llmstore.examples.analytics;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.usage.ModelUsage;
import io.llmstore.core.usage.ProviderCost;
import io.llmstore.core.usage.UsageFilter;
import io.llmstore.core.usage.UsageMetric;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** What did each model cost me in the last 24 hours, and each provider? */
public final class UsageSummary {
    private UsageSummary() {
    }

    /** Runs the example with {@code DATABASE_URL} (or {@code DB_*}) from the environment. */
    public static void main(String[] args) {
        run(StorageConfig.fromEnv(), System.out);
    }

    /** Records a few calls, then prints requests, tokens and cost per model and per provider; returns the per-model rows. */
    public static List<ModelUsage> run(StorageConfig config, PrintStream out) {
        try (StoragePool pool = StoragePool.create(config)) {
            pool.usage().migrate();
            Instant now = Instant.now();
            pool.usage().recordAll(List.of(
                    call(now.minusSeconds(600), "openai", "gpt-4o", 1_000, 500, "0.007500"),
                    call(now.minusSeconds(300), "openai", "gpt-4o", 2_000, 100, "0.006000"),
                    call(now.minusSeconds(200), "openai", "gpt-4o-mini", 4_000, 1_000, "0.001200"),
                    call(now.minusSeconds(100), "anthropic", "claude-haiku-4-5", 3_000, 600, "0.006000")));

            UsageFilter lastDay = UsageFilter.last(Duration.ofHours(24), Clock.systemUTC());
            List<ModelUsage> byModel = pool.analytics().usageByModel(lastDay);
            out.println("model                requests   tokens   cost (USD)");
            for (ModelUsage m : byModel) {
                out.printf("%-20s %8d %8d   %s%n", m.modelId(), m.requests(), m.tokenTotal(), m.costUsd().toPlainString());
            }
            for (ProviderCost p : pool.analytics().costByProvider(lastDay)) {
                out.printf("provider %-10s %8d requests   %s%n", p.provider(), p.requests(), p.costUsd().toPlainString());
            }
            return byModel;
        }
    }

    private static UsageMetric call(Instant at, String provider, String model, long in, long outTokens, String cost) {
        return UsageMetric.builder().time(at).provider(provider).model(model).tokens(in, outTokens)
                .costUsd(new BigDecimal(cost)).latencyMs(400).user("user-42").build();
    }
}
