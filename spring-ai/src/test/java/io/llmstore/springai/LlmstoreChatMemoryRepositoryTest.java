package io.llmstore.springai;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.chat.memory.MessageWindowChatMemory;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;

/**
 * The repository through Spring AI's own {@link MessageWindowChatMemory}, on real PostgreSQL: the memory serves its
 * window, the history keeps every message, a turn writes only its new rows, two instances share a conversation.
 */
class LlmstoreChatMemoryRepositoryTest {
    private final PostgresServer server = TestServers.postgres();
    private final String schema = "s_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
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

    static ChatMemory window(StoragePool p, int max) {
        return MessageWindowChatMemory.builder().maxMessages(max)
                .chatMemoryRepository(LlmstoreChatMemoryRepository.of(p.conversations().history(), max)).build();
    }

    @Test
    void theMemoryServesItsWindowWhileTheHistoryKeepsEveryMessageOneRowPerMessage() {
        ChatMemory memory = window(pool, 4);
        ConversationHistory history = pool.conversations().history();
        List<String> said = new ArrayList<>(List.of("Be brief."));
        memory.add("c1", new SystemMessage("Be brief."));
        for (int i = 0; i < 10; i++) {
            long before = history.summary("c1").orElseThrow().messages();
            memory.add("c1", List.of(new UserMessage("question " + i), new AssistantMessage("answer " + i)));
            said.add("question " + i);
            said.add("answer " + i);
            assertThat(history.summary("c1").orElseThrow().messages()).as("two rows per turn of two").isEqualTo(before + 2);
        }
        assertThat(memory.get("c1")).extracting(Message::getText)
                .containsExactly("question 8", "answer 8", "question 9", "answer 9");
        assertThat(history.session("c1")).extracting(StoredMessage::content).containsExactlyElementsOf(said);
        assertThat(LlmstoreChatMemoryRepository.of(history, 4).findConversationIds()).containsExactly("c1");
    }

    @Test
    void twoInstancesSavingOneConversationStoreEachMessageOnceInOrder() {
        ChatMemory a = window(pool, 6);
        ChatMemory b = window(newPool(), 6);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            (i % 2 == 0 ? a : b).add("shared", List.of(new UserMessage("u" + i), new AssistantMessage("a" + i)));
            expected.add("u" + i);
            expected.add("a" + i);
        }
        assertThat(pool.conversations().history().session("shared")).extracting(StoredMessage::content)
                .containsExactlyElementsOf(expected);
    }

    @Test
    void toolCallsAndResponsesComeBackAndClearDeletesTheConversation() {
        ChatMemory memory = window(pool, 10);
        AssistantMessage call = AssistantMessage.builder().content("")
                .toolCalls(List.of(new AssistantMessage.ToolCall("call-1", "function", "weather", "{\"city\":\"Z\u00fcrich\"}"))).build();
        ToolResponseMessage result = ToolResponseMessage.builder()
                .responses(List.of(new ToolResponseMessage.ToolResponse("call-1", "weather", "12 \u00b0C"))).build();
        memory.add("t", List.of(new UserMessage("Weather?"), call, result, new AssistantMessage("12 \u00b0C.")));

        List<Message> back = window(newPool(), 10).get("t");
        assertThat(back).hasSize(4);
        assertThat(((AssistantMessage) back.get(1)).getToolCalls()).isEqualTo(call.getToolCalls());
        assertThat(((ToolResponseMessage) back.get(2)).getResponses()).isEqualTo(result.getResponses());
        assertThat(back.get(3).getText()).isEqualTo("12 \u00b0C.");

        memory.clear("t");
        assertThat(pool.conversations().history().session("t")).isEmpty();
    }
}
