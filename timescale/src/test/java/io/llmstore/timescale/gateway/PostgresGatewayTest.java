package io.llmstore.timescale.gateway;

import io.llmstore.testkit.PostgresServer;
import io.llmstore.testkit.TestServers;

/** The gateway contract on plain PostgreSQL 15 (timescaledb not loaded). */
class PostgresGatewayTest extends GatewayContract {
    @Override
    PostgresServer server() {
        return TestServers.postgres();
    }
}
