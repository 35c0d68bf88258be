package io.llmstore.examples.aicore;

import io.llmstore.core.StoragePool;
import io.llmstore.core.buffer.BufferedWriter;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.operation.LlmSession;
import io.llmstore.core.operation.Operation;
import io.llmstore.core.operation.OperationMessage;
import io.llmstore.core.operation.OperationWithMessages;
import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** How do I record operations without waiting for the database (the guide's async insert)? */
public final class StoreOperationsAsync {
    private StoreOperationsAsync() {
    }

    /** Runs the example with {@code DATABASE_URL} (or {@code DB_*}) from the environment. */
    public static void main(String[] args) {
        run(StorageConfig.fromEnv(), System.out, 1_000);
    }

    /** Buffers {@code count} operations with two messages each, flushes, prints the writer's counters. */
    public static BufferedWriter.Stats run(StorageConfig config, PrintStream out, int count) {
        try (StoragePool pool = StoragePool.create(config)) {
            pool.usage().migrate();
            LlmSession session = LlmSession.of(UUID.randomUUID(), "support", "triage", Instant.now());
            pool.operations().ensureSession(session);
            BufferedWriter<OperationWithMessages> writer = pool.operations().buffered();
            for (int i = 0; i < count; i++) {
                Operation op = Operation.builder(session.sessionId()).timestamp(Instant.now())
                        .provider("anthropic").model("claude-sonnet-4-5").tokens(300 + i, 80).latencyMs(600).build();
                writer.record(new OperationWithMessages(op, List.of(          // returns at once
                        OperationMessage.of("user", "ticket " + i, 0),
                        OperationMessage.of("assistant", "routed ticket " + i, 1))));
            }
            pool.flush(); // or let the background flusher (every second, 500 per transaction) and close() do it
            BufferedWriter.Stats stats = writer.stats();
            out.printf("accepted=%d written=%d buffered=%d poison=%d%n", stats.accepted(), stats.written(),
                    stats.buffered(), stats.poison());
            return stats;
        }
    }
}
