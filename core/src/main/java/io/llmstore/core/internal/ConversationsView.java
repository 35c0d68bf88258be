package io.llmstore.core.internal;

import io.llmstore.core.conversation.ConversationHistory;
import io.llmstore.core.conversation.Conversations;
import io.llmstore.core.conversation.UserProfiles;
import java.util.Objects;

/** {@link Conversations#of}: holds the two parts. */
public record ConversationsView(ConversationHistory history, UserProfiles profiles) implements Conversations {
    public ConversationsView {
        Objects.requireNonNull(history, "history");
        Objects.requireNonNull(profiles, "profiles");
    }
}
