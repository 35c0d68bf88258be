package io.llmstore.examples.gateway;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.gateway.ApiKey;
import io.llmstore.core.gateway.ApiKeySpec;
import io.llmstore.core.gateway.BudgetDecision;
import io.llmstore.core.gateway.Gateway;
import io.llmstore.core.gateway.Model;
import io.llmstore.core.gateway.ModelSpec;
import io.llmstore.core.gateway.UsageRecord;
import io.llmstore.core.price.TokenUsage;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** How do I hold a key to a monthly dollar budget across every instance, with one Redis round trip per step? */
public final class BudgetedCall {
    private BudgetedCall() {
    }

    public static void main(String[] args) {
        run(StorageConfig.fromEnv(), System.out);
    }

    /** A $0.05 budget: calls are reserved at their max-token estimate and settled at their cost until one is refused. */
    public static int run(StorageConfig config, PrintStream out) {
        try (StoragePool pool = StoragePool.create(config)) {
            pool.usage().migrate();
            Gateway gateway = pool.gateway();
            gateway.models().registerProvider("openai", "openai");
            Model model = gateway.models().register(new ModelSpec("openai", "gpt-4o", List.of(), 128_000));
            ApiKey key = gateway.apiKeys().create("sk-" + UUID.randomUUID(),
                    ApiKeySpec.named("trial").monthlyBudgetUsd(new BigDecimal("0.05")));

            int calls = 0;
            while (true) {
                BigDecimal estimate = gateway.budgets().estimate("gpt-4o", 1000, 1000); // prompt, max_tokens
                BudgetDecision reservation = gateway.budgets().reserve(key, estimate);
                if (!reservation.allowed()) {
                    out.println("refused: " + reservation.refusal().orElseThrow());
                    return calls;
                }
                TokenUsage used = TokenUsage.of(1000, 400); // what the provider reported
                BigDecimal cost = gateway.models().calculateCost("gpt-4o", used, Instant.now()).orElseThrow().total();
                gateway.records().create(UsageRecord.of(key.id(), model, Instant.now(), 1000, 400, cost));
                BigDecimal spent = gateway.budgets().settle(reservation, cost);
                calls++;
                out.println("call " + calls + " cost $" + cost.toPlainString() + ", month so far $" + spent.toPlainString());
            }
        }
    }
}
