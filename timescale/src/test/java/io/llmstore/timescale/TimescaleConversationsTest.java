package io.llmstore.timescale;

import io.llmstore.testkit.PostgresServer;
import io.llmstore.testkit.TestServers;

/** The conversations contract on real TimescaleDB (the same tables: no hypertable, see ConversationFeatureSchema). */
class TimescaleConversationsTest extends ConversationsContract {
    @Override
    PostgresServer server() {
        return TestServers.timescale();
    }
}
