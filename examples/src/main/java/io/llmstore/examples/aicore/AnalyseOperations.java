package io.llmstore.examples.aicore;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.export.Csv;
import io.llmstore.core.operation.LlmSession;
import io.llmstore.core.operation.Operation;
import io.llmstore.core.operation.OperationFilter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** What did each provider cost, what did each agent do, and which errors recur (the guide's three analyses, as CSV)? */
public final class AnalyseOperations {
    private AnalyseOperations() {
    }

    /** Runs the example with {@code DATABASE_URL} (or {@code DB_*}) from the environment. */
    public static void main(String[] args) {
        run(StorageConfig.fromEnv(), System.out);
    }

    /** Stores a few operations of two agents, then prints the three analyses as CSV. */
    public static void run(StorageConfig config, PrintStream out) {
        try (StoragePool pool = StoragePool.create(config)) {
            pool.usage().migrate();
            LlmSession planner = LlmSession.of(UUID.randomUUID(), "research", "planner", Instant.now());
            LlmSession writer = LlmSession.of(UUID.randomUUID(), "research", "writer", Instant.now());
            pool.operations().ensureSession(planner);
            pool.operations().ensureSession(writer);
            record(pool, planner, "openai", "gpt-4o", "0.0100", 400, null);
            record(pool, planner, "openai", "gpt-4o", "0.0200", 600, null);
            record(pool, writer, "anthropic", "claude-sonnet-4-5", "0.0300", 900, null);
            record(pool, writer, "anthropic", "claude-sonnet-4-5", "0", 30_000, "timeout after 30 s");
            record(pool, writer, "anthropic", "claude-sonnet-4-5", "0", 30_000, "timeout after 30 s");

            OperationFilter all = OperationFilter.all();
            PrintWriter csv = new PrintWriter(out, true);
            out.println("# cost by provider");
            Csv.write(pool.operations().costByProvider(all), csv);
            out.println("# sessions");
            Csv.write(pool.operations().sessionAnalysis(all), csv);
            out.println("# errors");
            Csv.write(pool.operations().errorAnalysis(all), csv);
        }
    }

    private static void record(StoragePool pool, LlmSession s, String provider, String model, String cost,
                               long latencyMs, String error) {
        Operation.Builder b = Operation.builder(s.sessionId()).timestamp(Instant.now()).provider(provider).model(model)
                .tokens(1_000, 200).latencyMs(latencyMs).cost(new BigDecimal(cost));
        if (error != null) {
            b.failed(error);
        }
        pool.operations().record(b.build(), List.of());
    }
}
