package io.llmstore.timescale.operation;

import io.llmstore.core.operation.LlmSession;
import io.llmstore.core.operation.Operation;
import io.llmstore.core.operation.OperationMessage;
import io.llmstore.core.operation.OperationWithMessages;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/** Seeded sessions and operations (three messages each) for the operation tests. */
final class OperationData {
    static final Instant START = Instant.parse("2026-03-01T00:00:00Z");
    static final String[] WORKSPACES = {"research", "support"};
    static final String[] AGENTS = {"planner", "writer", "critic"};
    static final String[][] MODELS = {{"openai", "gpt-4o"}, {"openai", "gpt-4o-mini"}, {"anthropic", "claude-sonnet-4-5"},
            {"nobody", "unpriced-model"}};
    static final String[] ERRORS = {"rate limited", "timeout, retry later", "context \"too\" long"};

    final List<LlmSession> sessions = new ArrayList<>();
    final List<OperationWithMessages> operations = new ArrayList<>();
    /** The session of each operation's id, for the Java side of the analyses. */
    final Map<UUID, LlmSession> sessionOf = new java.util.HashMap<>();

    /** {@code sessions} sessions and {@code count} operations over two days, seeded by {@code seed}. */
    static OperationData generate(int sessionCount, int count, long seed) {
        Random r = new Random(seed);
        OperationData d = new OperationData();
        for (int s = 0; s < sessionCount; s++) {
            d.sessions.add(new LlmSession(new UUID(seed, s), WORKSPACES[s % 2], AGENTS[s % 3],
                    START.plusSeconds(s), Map.of("team", "t" + (s % 4), "n", s)));
        }
        for (int i = 0; i < count; i++) {
            LlmSession session = d.sessions.get(r.nextInt(sessionCount));
            String[] pm = MODELS[r.nextInt(MODELS.length)];
            Operation.Builder b = Operation.builder(session.sessionId())
                    .operationId(new UUID(seed + 1, i))
                    .actionId(i % 5 == 0 ? null : "action-" + (i % 11))
                    .timestamp(START.plus(Duration.ofMillis(r.nextInt(2 * 86_400_000))).plusNanos(r.nextInt(1000) * 1000L))
                    .operationType(i % 7 == 0 ? "embedding" : "chat")
                    .provider(pm[0]).model(pm[1])
                    .tokens(r.nextInt(5000), r.nextInt(2000))
                    .extras(Map.of("temperature", 0.25 * (i % 4), "tags", List.of("a", "b" + i % 3)));
            if (i % 6 != 0) {
                b.latencyMs(50 + r.nextInt(4000));
            }
            if (i % 3 == 0) {
                b.cost(new BigDecimal(r.nextInt(1_000_000)).movePointLeft(8)); // given, else priced from the catalog
            }
            if (i % 9 == 4) {
                b.failed(i % 27 == 4 ? null : ERRORS[r.nextInt(ERRORS.length)]);
            }
            Operation o = b.build();
            d.operations.add(new OperationWithMessages(o, List.of(
                    OperationMessage.of("system", "You are agent " + session.agentId(), 0),
                    OperationMessage.of("user", "question " + i + " ünïcødé ✓", 1),
                    OperationMessage.of("assistant", "answer " + i + ", with \"quotes\"\nand lines", 2))));
            d.sessionOf.put(o.operationId(), session);
        }
        return d;
    }
}
