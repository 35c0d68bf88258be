package io.llmstore.timescale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmstore.core.conversation.Message;
import io.llmstore.core.conversation.StoredMessage;
import io.llmstore.core.error.StorageException;
import io.llmstore.testkit.PostgresServer;
import io.llmstore.testkit.TestServers;
import org.junit.jupiter.api.Test;

/** The conversations contract on real PostgreSQL 15, plus a server restart between appends. */
class PostgresConversationsTest extends ConversationsContract {
    @Override
    PostgresServer server() {
        return TestServers.postgres();
    }

    @Test
    void acknowledgedMessagesSurviveAServerRestartAndNumberingGoesOnWithoutAGap() {
        assertThat(TestServers.canRestart("postgres")).as("the test servers come from scripts/test-servers").isTrue();
        history().append("u", "r", Message.user("before"));
        TestServers.stop("postgres");
        try {
            assertThatThrownBy(() -> history().append("u", "r", Message.user("while down")))
                    .isInstanceOf(StorageException.class);
        } finally {
            TestServers.start("postgres");
        }
        // the pool replaces its dead connections; the append refused while down left nothing behind
        StoredMessage after = history().append("u", "r", Message.user("after"));
        assertThat(after.sequence()).isEqualTo(2);
        assertThat(history().session("r")).extracting(StoredMessage::content).containsExactly("before", "after");
    }
}
