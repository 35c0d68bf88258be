package io.llmstore.springai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmstore.core.conversation.ConversationHistory;
import io.llmstore.core.conversation.NewMessages;
import io.llmstore.core.conversation.Role;
import io.llmstore.core.conversation.SessionSummary;
import io.llmstore.core.conversation.StoredMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.springframework.ai.chat.memory.ChatMemoryRepository;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;

/**
 * A Spring AI {@link ChatMemoryRepository} over llmstore's {@link ConversationHistory} ({@code pool.conversations()
 * .history()}): a conversation id is a session of this repository's user. Spring AI's {@code MessageWindowChatMemory}
 * calls {@link #saveAll} with the whole window each turn, and its own JDBC repository deletes and re-inserts that
 * list; this one appends only the messages of it that are new ({@link NewMessages}), so the history keeps every
 * message while the memory serves its window, a turn writes one row per new message, and two application instances
 * saving one conversation each append their own messages once.
 *
 * <p>Spring AI's memory returns what the repository returns ({@code get} does not cut to the window), so this
 * repository serves the window itself: {@link #findByConversationId} returns the last {@code window} messages; give
 * it the memory's {@code maxMessages}. A system message older than the window is then no longer served (Spring AI's
 * advisors send the system prompt with each call anyway); the history still holds it.
 *
 * <p>Stored: the text of user, system and assistant messages (like Spring AI's JDBC repository); an assistant message
 * with tool calls, and tool responses, as JSON behind a marker, read back as they were. Media and metadata are not
 * kept. Thread-safe.
 */
public final class LlmstoreChatMemoryRepository implements ChatMemoryRepository {
    static final String JSON_MARKER = "\u0001spring-ai:";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The JSON form of an assistant message with tool calls. */
    record Calls(String text, List<AssistantMessage.ToolCall> toolCalls) {
    }

    private final ConversationHistory history;
    private final String userId;
    private final int readLimit;

    /**
     * @param history   the pool's history
     * @param userId    the owner of every conversation this repository stores (its {@code findConversationIds})
     * @param window    how many of the last messages a conversation returns (the memory's {@code maxMessages}), {@code >= 1}
     */
    public LlmstoreChatMemoryRepository(ConversationHistory history, String userId, int window) {
        this.history = Objects.requireNonNull(history, "history");
        this.userId = Objects.requireNonNull(userId, "userId");
        if (window < 1) {
            throw new IllegalArgumentException("window must be >= 1, was " + window);
        }
        this.readLimit = window;
    }

    /** A repository of user {@code spring-ai} serving windows of {@code window} messages. */
    public static LlmstoreChatMemoryRepository of(ConversationHistory history, int window) {
        return new LlmstoreChatMemoryRepository(history, "spring-ai", window);
    }

    @Override
    public List<String> findConversationIds() {
        return history.sessions(userId).stream().map(SessionSummary::sessionId).toList();
    }

    @Override
    public List<Message> findByConversationId(String conversationId) {
        List<Message> out = new ArrayList<>();
        for (StoredMessage m : history.last(conversationId, readLimit)) {
            out.add(toSpring(m.message()));
        }
        return out;
    }

    @Override
    public void saveAll(String conversationId, List<Message> messages) {
        List<io.llmstore.core.conversation.Message> given = messages.stream()
                .map(LlmstoreChatMemoryRepository::toMessage).toList();
        List<StoredMessage> recent = history.last(conversationId, given.size() + 16);
        List<io.llmstore.core.conversation.Message> fresh = NewMessages.in(recent, given,
                (g, s) -> g.role() == s.role() && g.content().equals(s.content()), g -> g.role() == Role.SYSTEM);
        if (!fresh.isEmpty()) {
            history.appendAll(userId, conversationId, fresh);
        }
    }

    @Override
    public void deleteByConversationId(String conversationId) {
        history.deleteSession(conversationId);
    }

    static io.llmstore.core.conversation.Message toMessage(Message m) {
        return switch (m.getMessageType()) {
            case SYSTEM -> io.llmstore.core.conversation.Message.of(Role.SYSTEM, m.getText());
            case USER -> io.llmstore.core.conversation.Message.of(Role.USER, m.getText());
            case ASSISTANT -> {
                AssistantMessage a = (AssistantMessage) m;
                yield a.hasToolCalls() || a.getText() == null || a.getText().isEmpty()
                        ? io.llmstore.core.conversation.Message.of(Role.ASSISTANT, JSON_MARKER + json(new Calls(a.getText(), a.getToolCalls())))
                        : io.llmstore.core.conversation.Message.of(Role.ASSISTANT, a.getText());
            }
            case TOOL -> io.llmstore.core.conversation.Message.of(Role.TOOL,
                    JSON_MARKER + json(((ToolResponseMessage) m).getResponses()));
        };
    }

    static Message toSpring(io.llmstore.core.conversation.Message m) {
        String c = m.content();
        boolean json = c.startsWith(JSON_MARKER);
        String body = json ? c.substring(JSON_MARKER.length()) : c;
        try {
            return switch (m.role()) {
                case SYSTEM -> new SystemMessage(c);
                case USER -> new UserMessage(c);
                case ASSISTANT -> {
                    if (!json) {
                        yield new AssistantMessage(c);
                    }
                    Calls calls = JSON.readValue(body, Calls.class);
                    yield AssistantMessage.builder().content(calls.text()).toolCalls(calls.toolCalls()).build();
                }
                case TOOL -> json ? ToolResponseMessage.builder().responses(JSON.readValue(body,
                        new TypeReference<List<ToolResponseMessage.ToolResponse>>() { })).build()
                        : new UserMessage(c); // a plain tool row another writer stored: shown as text
            };
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored " + m.role().wire() + " message is not the JSON this repository"
                    + " writes: " + e.getOriginalMessage(), e);
        }
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("message cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "LlmstoreChatMemoryRepository{userId=" + userId + ", window=" + readLimit + "}";
    }
}
