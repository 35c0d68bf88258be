package io.llmstore.bench;

import io.llmstore.testkit.TestServers;

/**
 * The servers a benchmark runs against: those of the test harness (environment {@code LLMSTORE_TEST_*}, or started
 * locally by {@code scripts/test-servers}).
 */
public final class BenchServers {
    public io.llmstore.testkit.PostgresServer postgres() {
        return TestServers.postgres();
    }

    public io.llmstore.testkit.PostgresServer timescale() {
        return TestServers.timescale();
    }

    public io.llmstore.testkit.RedisServer redis() {
        return TestServers.redis();
    }

    public io.llmstore.testkit.KafkaServer kafka() {
        return TestServers.kafka();
    }
}
