package io.llmstore.examples.gateway;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.gateway.ApiKey;
import io.llmstore.core.gateway.ApiKeySpec;
import io.llmstore.core.gateway.Gateway;
import io.llmstore.core.gateway.Model;
import io.llmstore.core.gateway.ModelSpec;
import io.llmstore.core.gateway.MonthlySummary;
import io.llmstore.core.gateway.UsageRecord;
import io.llmstore.core.gateway.UsageTotals;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
import java.util.UUID;

/** How do I record each request's usage, total a key's cost over a range, and keep a monthly summary? */
public final class UsageRecordsAndSummaries {
    private UsageRecordsAndSummaries() {
    }

    public static void main(String[] args) {
        run(StorageConfig.fromEnv(), System.out);
    }

    /** Records three requests of one key in March 2026; returns its refreshed March summary. */
    public static MonthlySummary run(StorageConfig config, PrintStream out) {
        try (StoragePool pool = StoragePool.create(config)) {
            pool.usage().migrate();
            Gateway gateway = pool.gateway();
            gateway.models().registerProvider("openai", "openai");
            Model model = gateway.models().register(new ModelSpec("openai", "gpt-4o", List.of(), 128_000));
            ApiKey key = gateway.apiKeys().create("sk-" + UUID.randomUUID(), ApiKeySpec.named("reporting"));

            Instant march = Instant.parse("2026-03-10T12:00:00Z");
            gateway.records().create(UsageRecord.of(key.id(), model, march, 1200, 300, new BigDecimal("0.006"))
                    .withMetadata("{\"user\":\"u-17\"}", "{\"finish_reason\":\"stop\"}"));
            gateway.records().createAll(List.of(
                    UsageRecord.of(key.id(), model, march.plusSeconds(60), 800, 200, new BigDecimal("0.004")),
                    UsageRecord.of(key.id(), model, march.plusSeconds(120), 400, 100, new BigDecimal("0.002"))));

            UsageTotals day = gateway.records().totals(key.id(), march, march.plusSeconds(90));
            out.println("first 90 s: " + day.requests() + " requests, $" + day.costUsd().toPlainString());
            MonthlySummary summary = gateway.summaries().refresh(key.id(), YearMonth.of(2026, 3));
            out.println("March: " + summary.totals().requests() + " requests, " + summary.totals().totalTokens()
                    + " tokens, $" + summary.totals().costUsd().toPlainString());
            return summary;
        }
    }
}
