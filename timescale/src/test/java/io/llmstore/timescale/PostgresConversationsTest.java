package io.llmstore.timescale;

import io.llmstore.testkit.PostgresServer;
import io.llmstore.testkit.TestServers;

/** The conversations contract on real PostgreSQL 15. */
class PostgresConversationsTest extends ConversationsContract {
    @Override
    PostgresServer server() {
        return TestServers.postgres();
    }
}
