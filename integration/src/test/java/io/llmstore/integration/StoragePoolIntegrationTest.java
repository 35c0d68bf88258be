package io.llmstore.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.error.ConfigException;
import io.llmstore.core.error.NotConfiguredException;
import io.llmstore.core.health.ComponentHealth;
import io.llmstore.core.health.HealthReport;
import io.llmstore.core.health.HealthStatus;
import io.llmstore.testkit.PostgresServer;
import io.llmstore.testkit.TestServers;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The facade over all three real backends, configured every way a user can configure it. */
class StoragePoolIntegrationTest {
    private final PostgresServer postgres = TestServers.postgres();
    private final String redisUrl = TestServers.redis().uri();
    private final String kafka = TestServers.kafka().bootstrapServers();
    private final String schema = "pool_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    private final String topicPrefix = schema + ".";

    @TempDir
    Path dir;

    private StorageConfig.Builder isolated() {
        return StorageConfig.builder().environment(Map.of()).systemProperties(new Properties())
                .dotEnvFile(dir.resolve("none.env"));
    }

    @Test
    void aPoolFromTheBuilderIsUpWithAllThreeBackends() {
        StorageConfig config = isolated().databaseUrl(postgres.databaseUrl()).redisUrl(redisUrl)
                .kafkaBootstrapServers(kafka).set("DB_SCHEMA", schema).set("KAFKA_TOPIC_PREFIX", topicPrefix).build();

        try (StoragePool pool = StoragePool.create(config)) {
            HealthReport health = pool.healthCheck();

            assertThat(health.status()).isEqualTo(HealthStatus.UP);
            assertThat(health.components()).extracting(ComponentHealth::component)
                    .containsExactly("postgres", "usage-buffer", "operation-buffer", "span-buffer",
                            "gateway-usage-buffer", "redis", "kafka");
            assertThat(health.component("postgres").orElseThrow().critical()).isTrue();
            assertThat(health.component("redis").orElseThrow().critical()).isFalse();
            assertThat(pool.client(DataSource.class)).isPresent();
        }
    }

    @Test
    void aPoolFromEnvironmentVariablesIsUp() {
        Map<String, String> env = Map.of("DB_HOST", postgres.host(), "DB_PORT", Integer.toString(postgres.port()),
                "DB_NAME", postgres.database(), "DB_USER", postgres.user(), "DB_PASSWORD", postgres.password(),
                "DB_SSL_MODE", "disable", "DB_SCHEMA", schema, "REDIS_URL", redisUrl, "KAFKA_BOOTSTRAP_SERVERS", kafka,
                "KAFKA_TOPIC_PREFIX", topicPrefix);

        try (StoragePool pool = StoragePool.create(isolated().environment(env).build())) {
            assertThat(pool.healthCheck().status()).isEqualTo(HealthStatus.UP);
            assertThat(pool.config().postgres().orElseThrow().port()).isEqualTo(postgres.port());
        }
    }

    @Test
    void aPoolFromAYamlFileAndADotEnvFileIsUp() throws IOException {
        Path yaml = dir.resolve("llmstore.yml");
        Files.writeString(yaml, "postgres:\n  url: " + postgres.databaseUrl() + "\n  schema: " + schema + "\n"
                + "pool:\n  max_connections: 3\n"
                + "kafka:\n  bootstrap_servers: [\"" + kafka + "\"]\n  topic_prefix: " + topicPrefix + "\n");
        Path dotEnv = dir.resolve(".env");
        Files.writeString(dotEnv, "REDIS_URL=" + redisUrl + "\n");

        StorageConfig config = isolated().dotEnvFile(dotEnv).yamlFile(yaml).build();
        try (StoragePool pool = StoragePool.create(config)) {
            assertThat(pool.healthCheck().status()).isEqualTo(HealthStatus.UP);
            assertThat(pool.stats().postgres().orElseThrow().max()).isEqualTo(3);
            assertThat(pool.config().settings().find("REDIS_URL").orElseThrow().origin()).startsWith(".env file");
        }
    }

    @Test
    void redisAtAClosedPortMakesThePoolDegradedWithTheError() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        StorageConfig config = isolated().databaseUrl(postgres.databaseUrl()).set("DB_SCHEMA", schema)
                .redisUrl("redis://127.0.0.1:" + closedPort).set("REDIS_COMMAND_TIMEOUT", "300ms")
                .retryMaxAttempts(1).build();

        try (StoragePool pool = StoragePool.create(config)) {
            HealthReport health = pool.healthCheck();

            assertThat(health.status()).isEqualTo(HealthStatus.DEGRADED);
            ComponentHealth redis = health.component("redis").orElseThrow();
            assertThat(redis.status()).isEqualTo(HealthStatus.DOWN);
            assertThat(redis.error()).hasValueSatisfying(e -> assertThat(e).contains(Integer.toString(closedPort)));
            assertThat(health.component("postgres").orElseThrow().isUp()).isTrue();
        }
    }

    @Test
    void aFeatureWhoseBackendIsNotConfiguredNamesTheVariableToSet() {
        try (StoragePool pool = StoragePool.create(isolated().databaseUrl(postgres.databaseUrl())
                .set("DB_SCHEMA", schema).build())) {
            assertThatThrownBy(pool::events).isInstanceOf(NotConfiguredException.class)
                    .hasMessage("Kafka is not configured: set KAFKA_BOOTSTRAP_SERVERS to use event publishing (or pass"
                            + " your own client: StoragePool.builder(config).backend(KafkaBackendProvider.using(producer)))");
            // Without REDIS_URL the cache is the in-process fallback: it works, local to this JVM.
            assertThat(pool.cache().getOrCompute("m", "p", Duration.ofMinutes(1), () -> "answer")).isEqualTo("answer");
            assertThat(pool.healthCheck().components()).extracting(ComponentHealth::component)
                    .containsExactly("postgres", "usage-buffer", "operation-buffer", "span-buffer",
                            "gateway-usage-buffer");
        }
    }

    @Test
    void aPoolWithNothingConfiguredStillServesTheInProcessFallbacks() {
        try (StoragePool pool = StoragePool.create(isolated().build())) {
            assertThatThrownBy(pool::usage).isInstanceOf(NotConfiguredException.class)
                    .hasMessageContaining("set DATABASE_URL");
            assertThat(pool.limits()).isNotNull();
            assertThat(pool.healthCheck().status()).isEqualTo(HealthStatus.UP);
        }
    }

    @Test
    void closingTwiceIsHarmlessAndAClosedPoolRefusesWork() {
        StoragePool pool = StoragePool.create(isolated().databaseUrl(postgres.databaseUrl()).set("DB_SCHEMA", schema)
                .redisUrl(redisUrl).build());
        pool.close();
        pool.close();

        assertThat(pool.isClosed()).isTrue();
        assertThatThrownBy(pool::cache).isInstanceOf(IllegalStateException.class).hasMessage("StoragePool is closed");
    }

    @Test
    void aMalformedVariableFailsBeforeAnySocketOpens() {
        assertThatThrownBy(() -> StoragePool.create(isolated().databaseUrl(postgres.databaseUrl())
                .set("DB_POOL_MAX_CONNECTIONS", "many").build()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("DB_POOL_MAX_CONNECTIONS (builder) must be an integer >= 1, was 'many'");
    }
}
