package io.llmstore.timescale;

import io.llmstore.testkit.PostgresServer;
import io.llmstore.testkit.TestServers;

/** The embeddings contract on TimescaleDB with pgvector created in the database. */
class TimescaleEmbeddingsTest extends EmbeddingsContract {
    @Override
    PostgresServer server() {
        return TestServers.timescale();
    }
}
