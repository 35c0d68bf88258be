package io.llmstore.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.memory.ChatMemory;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.conversation.ConversationHistory;
import io.llmstore.core.conversation.StoredMessage;
import io.llmstore.testkit.PostgresServer;
import io.llmstore.testkit.Schemas;
import io.llmstore.testkit.TestServers;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The store through LangChain4j's own {@link MessageWindowChatMemory}, on real PostgreSQL: the memory serves its
 * window, the history keeps every message, a turn writes only its new row, two instances share a conversation.
 */
class LlmstoreChatMemoryStoreTest {
    private final PostgresServer server = TestServers.postgres();
    private final String schema = "l_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    private final List<StoragePool> pools = new ArrayList<>();
    private StoragePool pool;

    @BeforeEach
    void open() {
        pool = newPool();
    }

    StoragePool newPool() {
        StoragePool p = StoragePool.create(StorageConfig.builder().databaseUrl(server.databaseUrl())
                .poolMaxConnections(2).poolMinConnections(1).set("DB_SCHEMA", schema)
                .set("DB_MIGRATE_ON_START", "true").build());
        pools.add(p);
        return p;
    }

    @AfterEach
    void drop() throws SQLException {
        pools.forEach(StoragePool::close);
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password())) {
            Schemas.drop(c, schema);
        }
    }

    static ChatMemory window(StoragePool p, String id, int max) {
        return MessageWindowChatMemory.builder().id(id).maxMessages(max)
                .chatMemoryStore(LlmstoreChatMemoryStore.builder(p.conversations().history()).build()).build();
    }

    @Test
    void theMemoryServesItsWindowWhileTheHistoryKeepsEveryMessageOneRowPerTurn() {
        ChatMemory memory = window(pool, "chat-1", 4);
        ConversationHistory history = pool.conversations().history();
        List<ChatMessage> said = new ArrayList<>();
        said.add(SystemMessage.from("Be brief."));
        memory.add(said.get(0));
        for (int i = 0; i < 10; i++) {
            for (ChatMessage m : List.of(UserMessage.from("question " + i), AiMessage.from("answer " + i))) {
                long before = history.summary("chat-1").map(s -> s.messages()).orElse(0L);
                memory.add(m);
                said.add(m);
                assertThat(history.summary("chat-1").orElseThrow().messages()).as("one row per added message").isEqualTo(before + 1);
            }
        }
        assertThat(memory.messages()).containsExactly(said.get(0), said.get(18), said.get(19), said.get(20));
        assertThat(history.session("chat-1")).extracting(StoredMessage::content)
                .containsExactlyElementsOf(said.stream().map(LlmstoreChatMemoryStore::toMessage).map(m -> m.content()).toList());
        assertThat(history.session("chat-1")).extracting(StoredMessage::sequence).containsExactly(
                1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L, 16L, 17L, 18L, 19L, 20L, 21L);
    }

    @Test
    void twoInstancesAddingToOneConversationStoreEachMessageOnceInOrder() {
        ChatMemory a = window(pool, "shared", 6);
        ChatMemory b = window(newPool(), "shared", 6);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            ChatMemory m = i % 2 == 0 ? a : b;
            m.add(UserMessage.from("u" + i));
            m.add(AiMessage.from("a" + i));
            expected.add("u" + i);
            expected.add("a" + i);
        }
        assertThat(pool.conversations().history().session("shared")).extracting(StoredMessage::content)
                .containsExactlyElementsOf(expected);
        assertThat(b.messages()).hasSize(6).last().isEqualTo(AiMessage.from("a7"));
    }

    @Test
    void toolCallsAndResultsComeBackAsTheyWereAndClearDeletesTheSession() {
        ChatMemory memory = window(pool, "tools", 10);
        AiMessage call = AiMessage.from(ToolExecutionRequest.builder().id("call-1").name("weather")
                .arguments("{\"city\": \"Z\u00fcrich\"}").build());
        ToolExecutionResultMessage result = ToolExecutionResultMessage.from("call-1", "weather", "12 \u00b0C\tcloudy");
        memory.add(UserMessage.from("Weather in Z\u00fcrich?"));
        memory.add(call);
        memory.add(result);
        memory.add(AiMessage.from("12 \u00b0C and cloudy."));

        ChatMemory reread = window(newPool(), "tools", 10);
        assertThat(reread.messages()).containsExactly(UserMessage.from("Weather in Z\u00fcrich?"), call, result,
                AiMessage.from("12 \u00b0C and cloudy."));
        assertThat(pool.conversations().history().session("tools")).extracting(m -> m.role().wire())
                .containsExactly("user", "assistant", "tool", "assistant");

        memory.clear();
        assertThat(pool.conversations().history().session("tools")).isEmpty();
        assertThat(pool.conversations().history().summary("tools")).isEmpty();
    }
}
