/**
 * Real servers for llmstore's tests. Entry point: {@link io.llmstore.testkit.TestServers}, whose
 * {@code postgres()}, {@code timescale()}, {@code redis()} and {@code kafka()} hand out a
 * {@link io.llmstore.testkit.PostgresServer}, {@link io.llmstore.testkit.RedisServer} or
 * {@link io.llmstore.testkit.KafkaServer}: from environment variables, Testcontainers, or the
 * repository's {@code scripts/test-servers}. Test support only; never a runtime dependency.
 */
package io.llmstore.testkit;
