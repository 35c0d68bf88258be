package io.llmstore.examples.gateway;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.gateway.Model;
import io.llmstore.core.gateway.ModelSpec;
import io.llmstore.core.gateway.Models;
import io.llmstore.core.price.TokenUsage;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** How do I register models with aliases, find one by any name, search by a fuzzy name, and price a call? */
public final class ModelRepository {
    private ModelRepository() {
    }

    public static void main(String[] args) {
        run(StorageConfig.fromEnv(), System.out);
    }

    /** Registers two models, looks one up by alias, searches, prices a call before and after a negotiated price. */
    public static BigDecimal run(StorageConfig config, PrintStream out) {
        try (StoragePool pool = StoragePool.create(config)) {
            pool.usage().migrate();
            Models models = pool.gateway().models();
            models.registerProvider("openai", "openai");
            models.register(new ModelSpec("openai", "gpt-4o", List.of("4o", "omni"), 128_000));
            models.register(new ModelSpec("openai", "gpt-4o-mini", List.of("4o-mini"), 128_000));

            Model model = models.get("omni");
            out.println("omni is " + model.name() + " with a context window of " + model.contextWindow());
            out.println("search 'gpt4o': " + models.search("gpt4o", 5).stream().map(Model::name).toList());

            TokenUsage usage = TokenUsage.of(10_000, 2_000);
            Instant dealStarts = Instant.parse("2026-01-01T00:00:00Z");
            out.println("list price: $" + models.calculateCost("4o", usage, dealStarts.minusSeconds(1))
                    .orElseThrow().total().toPlainString());
            models.setPrice("gpt-4o", Map.of("input_mtok", new BigDecimal("2"), "output_mtok", new BigDecimal("8")),
                    dealStarts, null);
            BigDecimal deal = models.calculateCost("4o", usage, dealStarts).orElseThrow().total();
            out.println("negotiated price: $" + deal.toPlainString());
            return deal;
        }
    }
}
