package io.llmstore.timescale.conversation;

import io.llmstore.timescale.internal.FeatureSchema;
import io.llmstore.timescale.internal.FeatureSchemas;
import java.util.List;

/**
 * The conversations feature's schema: {@code conversations}, {@code conversation_sessions} and {@code user_profiles},
 * the same on PostgreSQL and TimescaleDB (a hypertable would forbid the per-session primary key that keeps numbers
 * unique). Scripts in {@code io/llmstore/timescale/conversation/migrations/}. Wiring, not for application code.
 */
public final class ConversationFeatureSchema implements FeatureSchema {
    static final List<String> FILES = List.of("V1__conversations.sql");

    @Override
    public String name() {
        return "conversation";
    }

    @Override
    public int order() {
        return FeatureSchemas.CONVERSATION_ORDER;
    }

    @Override
    public String resourceFolder() {
        return "/io/llmstore/timescale/conversation/migrations/";
    }

    @Override
    public List<String> scripts() {
        return FILES;
    }

    @Override
    public String toString() {
        return "ConversationFeatureSchema";
    }
}
