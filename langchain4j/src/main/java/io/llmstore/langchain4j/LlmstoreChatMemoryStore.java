package io.llmstore.langchain4j;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ChatMessageDeserializer;
import dev.langchain4j.data.message.ChatMessageSerializer;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.store.memory.chat.ChatMemoryStore;
import io.llmstore.core.conversation.ConversationHistory;
import io.llmstore.core.conversation.Message;
import io.llmstore.core.conversation.NewMessages;
import io.llmstore.core.conversation.Role;
import io.llmstore.core.conversation.StoredMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * A LangChain4j {@link ChatMemoryStore} over llmstore's {@link ConversationHistory} ({@code pool.conversations()
 * .history()}): a memory id is a session. LangChain4j hands {@link #updateMessages} the memory's whole window each
 * turn; this store appends only the messages of it that are new ({@link NewMessages}), so the history keeps every
 * message (nothing is deleted when the window evicts) and a turn writes one or two rows, whatever the history's length.
 * Two application instances updating one memory each append their own messages once.
 *
 * <p>Plain text messages (system, user with one text, AI text without tool calls) are stored as their text; any other
 * message (tool calls, tool results, images, thinking) as LangChain4j's own JSON behind a marker, and read back as it
 * was. {@link #getMessages} returns the last {@code readLimit} messages (default 1000; keep it at least the memory's
 * {@code maxMessages}). Thread-safe.
 */
public final class LlmstoreChatMemoryStore implements ChatMemoryStore {
    /** Marks a message stored as LangChain4j JSON; U+0001 never starts a plain chat text. */
    static final String JSON_MARKER = "\u0001langchain4j:";

    private final ConversationHistory history;
    private final Function<Object, String> userOf;
    private final int readLimit;

    private LlmstoreChatMemoryStore(ConversationHistory history, Function<Object, String> userOf, int readLimit) {
        this.history = history;
        this.userOf = userOf;
        this.readLimit = readLimit;
    }

    /** A store over {@code history}; every session belongs to user {@code langchain4j} unless told otherwise. */
    public static Builder builder(ConversationHistory history) {
        return new Builder(history);
    }

    /** Builds a {@link LlmstoreChatMemoryStore}. */
    public static final class Builder {
        private final ConversationHistory history;
        private Function<Object, String> userOf = memoryId -> "langchain4j";
        private int readLimit = 1000;

        private Builder(ConversationHistory history) {
            this.history = Objects.requireNonNull(history, "history");
        }

        /** The owner of a memory's session (the history's {@code user_id}), from the memory id. */
        public Builder userId(Function<Object, String> userOf) {
            this.userOf = Objects.requireNonNull(userOf, "userOf");
            return this;
        }

        /** How many of the last messages {@link #getMessages} returns, {@code >= 1}. */
        public Builder readLimit(int readLimit) {
            if (readLimit < 1) {
                throw new IllegalArgumentException("readLimit must be >= 1, was " + readLimit);
            }
            this.readLimit = readLimit;
            return this;
        }

        public LlmstoreChatMemoryStore build() {
            return new LlmstoreChatMemoryStore(history, userOf, readLimit);
        }
    }

    @Override
    public List<ChatMessage> getMessages(Object memoryId) {
        List<ChatMessage> out = new ArrayList<>();
        for (StoredMessage m : history.last(session(memoryId), readLimit)) {
            out.add(toChat(m.message()));
        }
        return out;
    }

    @Override
    public void updateMessages(Object memoryId, List<ChatMessage> messages) {
        String session = session(memoryId);
        List<Message> given = messages.stream().map(LlmstoreChatMemoryStore::toMessage).toList();
        // the stored tail the window can overlap, plus room for what another instance appended meanwhile
        List<StoredMessage> recent = history.last(session, given.size() + 16);
        List<Message> fresh = NewMessages.in(recent, given,
                (g, s) -> g.role() == s.role() && g.content().equals(s.content()), g -> g.role() == Role.SYSTEM);
        if (!fresh.isEmpty()) {
            history.appendAll(userOf.apply(memoryId), session, fresh);
        }
    }

    @Override
    public void deleteMessages(Object memoryId) {
        history.deleteSession(session(memoryId));
    }

    private static String session(Object memoryId) {
        return Objects.requireNonNull(memoryId, "memoryId must not be null").toString();
    }

    static Message toMessage(ChatMessage m) {
        if (m instanceof SystemMessage s) {
            return Message.of(Role.SYSTEM, s.text());
        }
        if (m instanceof UserMessage u && u.hasSingleText() && u.name() == null && u.singleText() != null
                && !u.singleText().isEmpty() && !u.singleText().startsWith(JSON_MARKER)) {
            return Message.of(Role.USER, u.singleText());
        }
        if (m instanceof AiMessage a && !a.hasToolExecutionRequests() && a.thinking() == null && a.text() != null
                && !a.text().isEmpty() && !a.text().startsWith(JSON_MARKER)) {
            return Message.of(Role.ASSISTANT, a.text());
        }
        Role role = m instanceof AiMessage ? Role.ASSISTANT : m instanceof ToolExecutionResultMessage ? Role.TOOL : Role.USER;
        return Message.of(role, JSON_MARKER + ChatMessageSerializer.messageToJson(m));
    }

    static ChatMessage toChat(Message m) {
        if (m.content().startsWith(JSON_MARKER)) {
            return ChatMessageDeserializer.messageFromJson(m.content().substring(JSON_MARKER.length()));
        }
        return switch (m.role()) {
            case SYSTEM -> SystemMessage.from(m.content());
            case ASSISTANT -> AiMessage.from(m.content());
            // a plain tool row was written by another writer, without the call id LangChain4j needs: shown as text
            case USER, TOOL -> UserMessage.from(m.content());
        };
    }

    @Override
    public String toString() {
        return "LlmstoreChatMemoryStore{readLimit=" + readLimit + "}";
    }
}
