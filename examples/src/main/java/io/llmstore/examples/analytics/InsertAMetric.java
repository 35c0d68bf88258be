package io.llmstore.examples.analytics;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.price.Cost;
import io.llmstore.core.price.PriceCatalog;
import io.llmstore.core.price.TokenUsage;
import io.llmstore.core.usage.UsageMetric;
import java.io.PrintStream;
import java.time.Instant;

/** How do I record one LLM call, with its exact cost? */
public final class InsertAMetric {
    private InsertAMetric() {
    }

    /** Runs the example with {@code DATABASE_URL} (or {@code DB_*}) from the environment. */
    public static void main(String[] args) {
        run(StorageConfig.fromEnv(), System.out);
    }

    /** Prices one call with the bundled catalog, stores it in {@code llm_usage_metrics} and returns it. */
    public static UsageMetric run(StorageConfig config, PrintStream out) {
        try (StoragePool pool = StoragePool.create(config)) {
            pool.usage().migrate(); // creates the usage tables the first time, does nothing after

            Instant now = Instant.now();
            TokenUsage tokens = TokenUsage.of(1_200, 350);
            Cost cost = PriceCatalog.bundled().cost("openai", "gpt-4o", tokens, now).orElseThrow();
            UsageMetric metric = UsageMetric.builder()
                    .time(now).provider("openai").model("gpt-4o")
                    .tokens(1_200, 350).costUsd(cost.total()).latencyMs(812)
                    .user("user-42").application("chat").environment("prod")
                    .metadata("{\"route\": \"support\"}")
                    .build();
            pool.usage().record(metric);

            out.println("recorded " + metric.eventId() + ": " + metric.modelId() + ", " + metric.tokenTotal()
                    + " tokens, $" + metric.costUsd().toPlainString());
            return metric;
        }
    }
}
