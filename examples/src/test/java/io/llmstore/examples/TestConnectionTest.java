package io.llmstore.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmstore.core.config.StorageConfig;
import io.llmstore.testkit.PostgresServer;
import io.llmstore.testkit.TestServers;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** test-connection on the real servers: one line per component, the guide's advice, exit codes a script can use. */
class TestConnectionTest {
    private final String id = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    private String output;

    private int run(Supplier<StorageConfig> config) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code = TestConnection.run(config, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        output = bytes.toString(StandardCharsets.UTF_8);
        return code;
    }

    private static StorageConfig.Builder base(PostgresServer pg) {
        return StorageConfig.builder().environment(Map.of()).systemProperties(new Properties())
                .databaseUrl(pg.databaseUrl()).poolMaxConnections(4).poolMinConnections(1);
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort(); // closed again: nothing listens there
        }
    }

    @Test
    void everyBackendUpPrintsVersionsExtensionsAndPoolSettingsAndExitsZero() {
        PostgresServer ts = TestServers.timescale();
        int code = run(() -> base(ts).set("DB_SCHEMA", "tc_" + id).redisUrl(TestServers.redis().uri())
                .kafkaBootstrapServers(TestServers.kafka().bootstrapServers()).set("KAFKA_TOPIC_PREFIX", "tc-" + id + ".")
                .build());
        assertThat(code).as(output).isEqualTo(TestConnection.UP);
        assertThat(output).containsPattern("postgres +UP .* ms +PostgreSQL 15\\.\\d+ .*, TimescaleDB 2\\.28\\.\\d+, pgvector 0\\.8\\.\\d+")
                .contains("pool 1..4 connections", "(all 4 opened in")
                .containsPattern("server max_connections \\d+\\)")
                .containsPattern("redis +UP .* Redis \\d+\\.\\d+")
                .containsPattern("kafka +UP .* Kafka cluster \\S+, 1 broker\\(s\\), metadata.version level \\d+")
                .containsPattern("usage-buffer +UP .* buffered writer in this process")
                .contains("overall   UP")
                .doesNotContain(ts.password());
    }

    @Test
    void plainPostgresAloneSaysRedisIsNotConfiguredAsInformation() {
        int code = run(() -> base(TestServers.postgres()).set("DB_SCHEMA", "tc_" + id).build());
        assertThat(code).as(output).isEqualTo(TestConnection.UP);
        assertThat(output).containsPattern("postgres +UP .* PostgreSQL 15\\.\\d+ .* at ")
                .doesNotContain("TimescaleDB 2")
                .contains("Redis not configured (REDIS_URL unset)", "Kafka not configured");
    }

    @Test
    void postgresDownSaysHowManyAttemptsFailedAndExitsTwo() throws Exception {
        int port = freePort();
        int code = run(() -> StorageConfig.builder().environment(Map.of()).systemProperties(new Properties())
                .databaseUrl("postgresql://postgres:pw@127.0.0.1:" + port + "/postgres").retryMaxAttempts(2).build());
        assertThat(code).isEqualTo(TestConnection.DOWN);
        assertThat(output).contains("PostgreSQL connection failed after 2 attempts (DB_RETRY_MAX_ATTEMPTS): PostgreSQL"
                        + " connection failed during connecting")
                .containsOnlyOnce("failed after 2 attempts")
                .contains("is PostgreSQL running and reachable at 127.0.0.1:" + port);
    }

    @Test
    void aMissingPasswordTheServerAsksForIsNamed() {
        PostgresServer pg = TestServers.postgres(); // scram over TCP: a password is required
        int code = run(() -> StorageConfig.builder().environment(Map.of()).systemProperties(new Properties())
                .databaseUrl("postgresql://" + pg.user() + "@" + pg.host() + ":" + pg.port() + "/" + pg.database())
                .retryMaxAttempts(1).build());
        assertThat(code).isEqualTo(TestConnection.DOWN);
        assertThat(output).contains("DB_PASSWORD environment variable is required");
    }

    @Test
    void aWrongPasswordIsNamedAsRefusedNotAsMissing() {
        PostgresServer pg = TestServers.postgres();
        int code = run(() -> StorageConfig.builder().environment(Map.of()).systemProperties(new Properties())
                .databaseUrl("postgresql://" + pg.user() + ":not-it-" + id + "@" + pg.host() + ":" + pg.port() + "/"
                        + pg.database())
                .retryMaxAttempts(1).build());
        assertThat(code).isEqualTo(TestConnection.DOWN);
        assertThat(output).contains("advice    the server refused the password: check DB_PASSWORD")
                .doesNotContain("is required").doesNotContain("not-it-" + id);
    }

    @Test
    void redisDownIsDegradedWithExitOne() throws Exception {
        int port = freePort();
        int code = run(() -> base(TestServers.postgres()).set("DB_SCHEMA", "tc_" + id)
                .redisUrl("redis://127.0.0.1:" + port).retryMaxAttempts(1).build());
        assertThat(code).as(output).isEqualTo(TestConnection.DEGRADED);
        assertThat(output).containsPattern("redis +DOWN").contains("overall   DEGRADED")
                .contains("advice    is Redis running and reachable at redis://127.0.0.1:" + port);
    }

    @Test
    void aPoolLargerThanTheServerServesGetsAdviceNamingBothPoolSettings() {
        // The test server allows 100 connections: a pool of 150 cannot open them all.
        int code = run(() -> base(TestServers.postgres()).poolMaxConnections(150).set("DB_POOL_CONNECT_TIMEOUT", "2s")
                .set("DB_SCHEMA", "tc_" + id).build());
        assertThat(code).as(output).isEqualTo(TestConnection.UP);
        assertThat(output).containsPattern("postgres +WARN .* PostgreSQL 15\\.\\d+ .* opened 100 of 150 connections in \\d+ ms"
                        + " \\(server max_connections 100\\)")
                .contains("DB_POOL_MAX_CONNECTIONS (now 150)", "DB_POOL_CONNECT_TIMEOUT (2000 ms)")
                .containsOnlyOnce("postgres  "); // one line per component, the warning in it
    }
}
