package io.llmstore.core.conversation;

import io.llmstore.core.internal.ConversationsView;
import io.llmstore.core.spi.BackendDescriptor;
import io.llmstore.core.spi.Feature;

/**
 * The conversations feature, {@code pool.conversations()}: the message {@link #history()} of chat sessions and the
 * users' {@link #profiles()} with their token quota. Served by the PostgreSQL backend ({@code llmstore-timescale});
 * its tables come with the schema migration ({@code pool.usage().migrate()} or {@code DB_MIGRATE_ON_START=true}).
 * Thread-safe; the pool owns it.
 */
public interface Conversations {
    /** The feature's descriptor: needs PostgreSQL. */
    Feature<Conversations> FEATURE = Feature.of("conversations", Conversations.class, BackendDescriptor.POSTGRES);

    /** Messages of sessions, append-only. */
    ConversationHistory history();

    /** User profiles and token quotas. */
    UserProfiles profiles();

    /** The feature over an adapter's parts; for backend modules. */
    static Conversations of(ConversationHistory history, UserProfiles profiles) {
        return new ConversationsView(history, profiles);
    }
}
