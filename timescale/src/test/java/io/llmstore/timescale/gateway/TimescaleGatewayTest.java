package io.llmstore.timescale.gateway;

import io.llmstore.testkit.PostgresServer;
import io.llmstore.testkit.TestServers;

/** The gateway contract on TimescaleDB 2.28 (with pgvector): the same tables, the same answers. */
class TimescaleGatewayTest extends GatewayContract {
    @Override
    PostgresServer server() {
        return TestServers.timescale();
    }
}
