package io.llmstore.examples.aicore;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.export.Parquet;
import io.llmstore.core.operation.LlmSession;
import io.llmstore.core.operation.Operation;
import io.llmstore.core.operation.OperationFilter;
import io.llmstore.core.operation.ProviderCostSummary;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * How do I load operations into Polars, pandas or DuckDB (the guide's DataFrame snippet)? Write a Parquet file,
 * then {@code pl.read_parquet("operations.parquet")}, {@code pd.read_parquet(...)} or
 * {@code SELECT * FROM read_parquet('operations.parquet')}.
 */
public final class ExportForDataFrames {
    private ExportForDataFrames() {
    }

    /** Runs the example with {@code DATABASE_URL} (or {@code DB_*}) from the environment, writing to the current folder. */
    public static void main(String[] args) {
        run(StorageConfig.fromEnv(), System.out, Path.of("."));
    }

    /** Stores ten operations, writes {@code operations.parquet} and {@code cost_by_provider.parquet} into {@code dir}. */
    public static List<Path> run(StorageConfig config, PrintStream out, Path dir) {
        try (StoragePool pool = StoragePool.create(config)) {
            pool.usage().migrate();
            LlmSession session = LlmSession.of(UUID.randomUUID(), "research", "planner", Instant.now());
            pool.operations().ensureSession(session);
            for (int i = 0; i < 10; i++) {
                pool.operations().record(Operation.builder(session.sessionId()).timestamp(Instant.now())
                        .provider(i % 2 == 0 ? "openai" : "anthropic").model(i % 2 == 0 ? "gpt-4o" : "claude-sonnet-4-5")
                        .tokens(1_000 + i, 100).latencyMs(300 + i).build(), List.of());
            }
            Path operations = dir.resolve("operations.parquet");
            Path costs = dir.resolve("cost_by_provider.parquet");
            long rows = Parquet.write(Operation.class, pool.operations().fetchAll(OperationFilter.all()), operations);
            Parquet.write(ProviderCostSummary.class, pool.operations().costByProvider(OperationFilter.all()), costs);
            out.printf("wrote %d operations to %s and the cost analysis to %s%n", rows, operations, costs);
            return List.of(operations, costs);
        }
    }
}
