package io.llmstore.examples.aicore;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.operation.LlmSession;
import io.llmstore.core.operation.Operation;
import io.llmstore.core.operation.OperationMessage;
import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** How do I store an agent's session and one LLM operation with its messages (the guide's sync insert)? */
public final class StoreAnOperation {
    private StoreAnOperation() {
    }

    /** Runs the example with {@code DATABASE_URL} (or {@code DB_*}) from the environment. */
    public static void main(String[] args) {
        run(StorageConfig.fromEnv(), System.out);
    }

    /** Ensures a session, records one priced operation with three messages, prints it; returns it as stored. */
    public static Operation run(StorageConfig config, PrintStream out) {
        try (StoragePool pool = StoragePool.create(config)) {
            pool.usage().migrate(); // every feature's schema, the operation tables included
            LlmSession session = new LlmSession(UUID.randomUUID(), "research", "planner", Instant.now(),
                    Map.of("user", "u-42"));
            pool.operations().ensureSession(session); // idempotent: a second call keeps the first

            Operation op = Operation.builder(session.sessionId())
                    .actionId("summarize-paper")
                    .timestamp(Instant.now())
                    .provider("openai").model("gpt-4o")
                    .tokens(1_200, 350).latencyMs(840)      // no cost given: priced from the catalog
                    .extras(Map.of("temperature", 0.2))
                    .build();
            boolean stored = pool.operations().record(op, List.of(     // one transaction: all or nothing
                    OperationMessage.of("system", "You summarize papers.", 0),
                    OperationMessage.of("user", "Summarize: attention is all you need", 1),
                    OperationMessage.of("assistant", "Transformers replace recurrence with attention.", 2)));
            boolean again = pool.operations().record(op, List.of()); // a replay stores nothing

            Operation back = pool.operations().fetchAll(
                    io.llmstore.core.operation.OperationFilter.all().withSession(session.sessionId())).get(0);
            out.printf("stored=%s replay stored=%s: %s %s, %d tokens, cost $%s, %d messages%n", stored, again,
                    back.provider(), back.model(), back.totalTokens(), back.cost().stripTrailingZeros().toPlainString(),
                    pool.operations().messages(op.operationId()).size());
            return back;
        }
    }
}
