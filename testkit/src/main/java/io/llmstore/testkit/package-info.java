/**
 * Real servers for llmstore's tests. Entry point: {@link io.llmstore.testkit.TestServers}, whose
 * {@code postgres()}, {@code timescale()}, {@code redis()} and {@code kafka()} hand out a
 * {@link io.llmstore.testkit.PostgresServer}, {@link io.llmstore.testkit.RedisServer} or
 * {@link io.llmstore.testkit.KafkaServer}, and the cluster lane's {@code redisCluster()} and
 * {@code postgresReplica()} a {@link io.llmstore.testkit.RedisClusterServer} and a {@code PostgresServer}: from environment variables, Testcontainers, or the
 * repository's {@code scripts/test-servers}. Test support only; never a runtime dependency.
 */
package io.llmstore.testkit;
