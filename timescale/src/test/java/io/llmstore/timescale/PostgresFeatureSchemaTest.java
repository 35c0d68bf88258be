package io.llmstore.timescale;

import io.llmstore.testkit.PostgresServer;
import io.llmstore.testkit.TestServers;

/** The feature-schema contract on PostgreSQL 15 (the plain flavor). */
class PostgresFeatureSchemaTest extends FeatureSchemaContract {
    @Override
    PostgresServer server() {
        return TestServers.postgres();
    }

    @Override
    boolean expectTimescale() {
        return false;
    }
}
