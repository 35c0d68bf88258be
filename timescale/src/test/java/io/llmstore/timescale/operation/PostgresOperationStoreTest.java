package io.llmstore.timescale.operation;

import io.llmstore.testkit.PostgresServer;
import io.llmstore.testkit.TestServers;

/** The operation store contract on real PostgreSQL 15 (timescaledb not loaded). */
class PostgresOperationStoreTest extends OperationStoreContract {
    @Override
    PostgresServer server() {
        return TestServers.postgres();
    }
}
