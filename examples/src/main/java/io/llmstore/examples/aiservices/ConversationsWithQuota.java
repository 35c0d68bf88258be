package io.llmstore.examples.aiservices;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.conversation.ConversationHistory;
import io.llmstore.core.conversation.Message;
import io.llmstore.core.conversation.QuotaDecision;
import io.llmstore.core.conversation.SessionSummary;
import io.llmstore.core.conversation.StoredMessage;
import io.llmstore.core.conversation.UserProfile;
import io.llmstore.core.conversation.UserProfiles;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The guide's conversation store and user profiles: a profile with preferences and a token quota, each turn
 * charged to the quota before the LLM is called (atomically, in the database), both messages of an allowed turn
 * appended to the session's history, the last messages as the next prompt's window, and the session's totals.
 */
public final class ConversationsWithQuota {
    /** Tokens each turn of this example costs (prompt and answer). */
    public static final int TOKENS_PER_TURN = 400;

    /** What ran: each turn's quota decision, the window read back, the session's totals. */
    public record Result(List<QuotaDecision> decisions, List<StoredMessage> window, SessionSummary summary,
                         List<SessionSummary> sessions) {
    }

    private ConversationsWithQuota() {
    }

    public static void main(String[] args) {
        run(StorageConfig.fromEnv(), System.out, "u-7", "support-1");
    }

    /** User {@code userId} with a quota of 1,000 tokens asks three questions in session {@code sessionId}. */
    public static Result run(StorageConfig config, PrintStream out, String userId, String sessionId) {
        try (StoragePool pool = StoragePool.create(config)) {
            pool.usage().migrate();
            UserProfiles profiles = pool.conversations().profiles();
            ConversationHistory history = pool.conversations().history();

            profiles.upsert(UserProfile.of(userId, Map.of("language", "en", "units", "metric"), "concise",
                    "gpt-4o-mini", 1_000L));
            out.println("profile: " + profiles.get(userId).orElseThrow());

            List<QuotaDecision> decisions = new ArrayList<>();
            for (String question : List.of("What is RAG?", "Which model should I use?", "And how much will it cost?")) {
                QuotaDecision d = profiles.tryConsume(userId, TOKENS_PER_TURN); // before the LLM is called
                decisions.add(d);
                if (!d.allowed()) {
                    out.printf("refused \"%s\": %d of %d tokens used, %d left%n", question, d.used(), d.quota(),
                            d.remaining());
                    continue;
                }
                String answer = "(answer to: " + question + ")"; // your LLM call here
                history.appendAll(userId, sessionId, List.of(Message.user(question),
                        Message.assistant(answer).withUsage(TOKENS_PER_TURN, new BigDecimal("0.0006"))));
                out.printf("answered \"%s\": %d tokens used, %d left%n", question, d.used(), d.remaining());
            }

            List<StoredMessage> window = history.last(sessionId, 4); // the next prompt's context, oldest first
            out.println("last 4 messages:");
            window.forEach(m -> out.printf("  %d %-9s %s%n", m.sequence(), m.message().role().wire(),
                    m.message().content()));
            SessionSummary summary = history.summary(sessionId).orElseThrow();
            out.printf("session %s: %d messages, %d tokens, $%s%n", sessionId, summary.messages(),
                    summary.tokensUsed(), summary.costUsd().toPlainString());
            return new Result(decisions, window, summary, history.sessions(userId));
        }
    }
}
