package io.llmstore.examples.aicore;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.operation.LlmSession;
import io.llmstore.core.operation.Operation;
import io.llmstore.core.operation.OperationCursor;
import io.llmstore.core.operation.OperationFilter;
import io.llmstore.core.operation.OperationPage;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Which operations ran between two dates on one provider with at least N tokens (the guide's filtered query)? */
public final class QueryOperations {
    private QueryOperations() {
    }

    /** Runs the example with {@code DATABASE_URL} (or {@code DB_*}) from the environment. */
    public static void main(String[] args) {
        run(StorageConfig.fromEnv(), System.out);
    }

    /** Stores 30 operations over three days, then pages through the OpenAI ones of the last two days with >= 1,000 tokens. */
    public static List<Operation> run(StorageConfig config, PrintStream out) {
        try (StoragePool pool = StoragePool.create(config)) {
            pool.usage().migrate();
            LlmSession session = LlmSession.of(UUID.randomUUID(), "research", "planner", Instant.now());
            pool.operations().ensureSession(session);
            Instant now = Instant.now();
            for (int i = 0; i < 30; i++) {
                pool.operations().record(Operation.builder(session.sessionId())
                        .timestamp(now.minus(Duration.ofHours(72 - 2L * i)).minus(Duration.ofMinutes(30))) // off the hour
                        .provider(i % 2 == 0 ? "openai" : "anthropic").model(i % 2 == 0 ? "gpt-4o" : "claude-sonnet-4-5")
                        .tokens(200L * i, 50).latencyMs(500).build(), List.of());
            }

            OperationFilter filter = OperationFilter.between(now.minus(Duration.ofDays(2)), now)
                    .withProvider("openai").withMinTokens(1_000);
            List<Operation> found = new ArrayList<>();
            Optional<OperationCursor> cursor = Optional.empty();
            do {                                           // keyset pagination: pages of 5
                OperationPage page = pool.operations().fetch(filter, cursor, 5);
                found.addAll(page.operations());
                cursor = page.next();
            } while (cursor.isPresent());
            for (Operation o : found) {
                out.printf("%s %s %s tokens=%d%n", o.timestamp(), o.provider(), o.model(), o.totalTokens());
            }
            out.println(found.size() + " operations");
            return found;
        }
    }
}
