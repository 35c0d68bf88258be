package io.llmstore.examples.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmstore.core.error.ConfigException;
import io.llmstore.core.error.ConnectionException;
import io.llmstore.core.error.NotConfiguredException;
import io.llmstore.core.error.PoolExhaustedException;
import io.llmstore.core.error.StorageException;
import io.llmstore.core.health.HealthReport;
import io.llmstore.core.health.HealthStatus;
import io.llmstore.core.stats.ConnectionPoolStats;
import io.llmstore.examples.ExampleRun;
import io.llmstore.testkit.TestServers;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every storage-guide example runs on the real TimescaleDB, Redis and Kafka, each in its own schema, key prefix and
 * topic prefix; each test checks what the example printed and what it left in the backend.
 */
class StorageExamplesTest {
    @TempDir
    Path dir;

    @Test
    void minimalSetupSaysTheStorageIsReady() {
        ExampleRun run = new ExampleRun("minimal");

        HealthReport health = MinimalSetup.run(run.config, run.out);

        assertThat(health.status()).isEqualTo(HealthStatus.UP);
        assertThat(health.components()).extracting(c -> c.component()).contains("postgres", "redis", "kafka");
        assertThat(run.printed()).isEqualTo("Storage is ready!" + System.lineSeparator());
    }

    @Test
    void theBuilderAloneConfiguresThePoolAndMasksThePassword() {
        ExampleRun run = ExampleRun.withoutKafka("builder");

        HealthReport health = ConfigureWithBuilder.run(run.db.databaseUrl(), TestServers.redis().uri(), run.out);

        assertThat(health.status()).isEqualTo(HealthStatus.UP);
        assertThat(run.printed()).contains("builder-example", "health UP, pool max 4")
                .doesNotContain(run.db.password());
    }

    @Test
    void theEnvironmentConfiguresThePoolAndItsSchema() throws Exception {
        ExampleRun run = ExampleRun.withoutKafka("env");

        HealthReport health = ConfigureFromEnvironment.run(Map.of("DATABASE_URL", run.db.databaseUrl(),
                "DB_SCHEMA", run.id, "DB_POOL_MAX_CONNECTIONS", "3", "REDIS_URL", TestServers.redis().uri()), run.out);

        assertThat(health.status()).isEqualTo(HealthStatus.UP);
        assertSchemaMigrated(run);
        assertThat(run.printed()).contains("environment", "health UP, pool max 3").doesNotContain(run.db.password());
    }

    @Test
    void aDotEnvFileConfiguresThePoolAndItsSchema() throws Exception {
        ExampleRun run = ExampleRun.withoutKafka("dotenv");
        Path dotEnv = Files.writeString(dir.resolve(".env"), "# development settings\n"
                + "DATABASE_URL=" + run.db.databaseUrl() + "\nDB_SCHEMA=" + run.id + "\nDB_POOL_MAX_CONNECTIONS=2\n");

        HealthReport health = ConfigureFromDotEnv.run(dotEnv, run.out);

        assertThat(health.status()).isEqualTo(HealthStatus.UP);
        assertSchemaMigrated(run);
        assertThat(run.printed()).contains(".env", "health UP, pool max 2").doesNotContain(run.db.password());
    }

    @Test
    void aYamlFileConfiguresThePoolAndItsSchema() throws Exception {
        ExampleRun run = ExampleRun.withoutKafka("yaml");
        Path yaml = Files.writeString(dir.resolve("llmstore.yml"), "postgres:\n  url: " + run.db.databaseUrl() + "\n"
                + "db:\n  schema: " + run.id + "\npool:\n  max_connections: 5\n  connect_timeout: 3s\n"
                + "redis:\n  url: " + TestServers.redis().uri() + "\n");

        HealthReport health = ConfigureFromYaml.run(yaml, run.out);

        assertThat(health.status()).isEqualTo(HealthStatus.UP);
        assertSchemaMigrated(run);
        assertThat(run.printed()).contains("llmstore.yml", "health UP, pool max 5").doesNotContain(run.db.password());
    }

    @Test
    void theRawClientsReachEachServer() throws Exception {
        ExampleRun run = new ExampleRun("raw_clients");

        AccessConnections.run(run.config, run.out);

        List<ConsumerRecord<String, String>> logs = run.records("llm-logs", 1);
        assertThat(logs).extracting(ConsumerRecord::value)
                .containsExactly("{\"level\":\"info\",\"msg\":\"hello from a raw producer\"}");
        assertThat(run.printed()).contains("JDBC: PostgreSQL 15", "jOOQ: dialect POSTGRES, current user " + run.db.user(),
                "Redis: PING -> PONG", "Kafka: topic " + run.topicPrefix() + "llm-logs exists: true",
                "Kafka: raw record at " + run.topicPrefix() + "llm-logs-");
    }

    @Test
    void poolUtilizationWarnsWhenNineOfTenConnectionsAreBusy() throws Exception {
        ExampleRun run = ExampleRun.withoutKafka("utilization");

        ConnectionPoolStats busy = PoolUtilization.run(run.config, run.out);

        assertThat(busy.active()).isEqualTo(9);
        assertThat(busy.max()).isEqualTo(10);
        assertThat(busy.isNearCapacity()).isTrue();
        assertThat(run.printed()).contains("idle: active 0/10", "busy: active 9/10", "utilization 90.0%",
                "Warning: connection pool near capacity!");
    }

    @Test
    void closingThePoolWritesEveryBufferedRow() throws Exception {
        // A flush interval far longer than the test: only close() can have written the rows.
        ExampleRun run = new ExampleRun("shutdown", false, b -> b.set("USAGE_FLUSH_INTERVAL", "10m"));

        GracefulShutdown.run(run.config, run.out);

        assertThat(run.queryOne("SELECT count(*) FROM llm_usage_metrics")).isEqualTo((long) GracefulShutdown.ROWS);
        assertThat(run.printed()).contains("buffered 500 rows; closing", "closed: true");
    }

    @Test
    void aDurableSpoolHoldsTheRowsUntilStoredAndAdmitsOnePool() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("llmstore-spool-example");
        ExampleRun run = new ExampleRun("spool", false, b -> b.set("USAGE_FLUSH_INTERVAL", "10m")
                .set("SPOOL_DIR", dir.toString()));

        DurableSpool.run(run.config, run.out);

        assertThat(run.queryOne("SELECT count(*) FROM llm_usage_metrics")).isEqualTo((long) DurableSpool.ROWS);
        assertThat(run.printed()).contains("spooled 300 rows (OS): 300 not stored yet",
                "a second pool on the same SPOOL_DIR is refused: SPOOL_DIR: the spool directory " + dir.resolve("usage"),
                "stored; 0 rows pending");
        try (java.util.stream.Stream<java.nio.file.Path> left = java.nio.file.Files.list(dir.resolve("usage"))) {
            assertThat(left.map(p -> p.getFileName().toString())).as("spool files after close").containsExactly("spool.lock");
        }
    }

    @Test
    void healthChecksPrintOneLinePerComponent() {
        ExampleRun run = new ExampleRun("health");

        HealthReport report = HealthChecks.run(run.config, run.out);

        assertThat(report.status()).isEqualTo(HealthStatus.UP);
        assertThat(run.printed()).containsPattern("postgres +UP +\\d+ ms \\(critical\\)")
                .containsPattern("redis +UP +\\d+ ms").containsPattern("kafka +UP +\\d+ ms").contains("overall UP");
    }

    @Test
    void periodicHealthChecksReportOnTheirInterval() throws Exception {
        ExampleRun run = new ExampleRun("periodic");

        long start = System.nanoTime();
        List<HealthReport> reports = PeriodicHealthChecks.run(run.config, Duration.ofMillis(300), 3, run.out);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(reports).hasSize(3).allSatisfy(r -> assertThat(r.status()).isEqualTo(HealthStatus.UP));
        // The first check runs at once, the next two after the 300 ms interval each.
        assertThat(Duration.between(reports.get(0).checkedAt(), reports.get(2).checkedAt()))
                .isGreaterThanOrEqualTo(Duration.ofMillis(600));
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(600));
        assertThat(run.printed().lines().filter(l -> l.contains("health UP [postgres=UP, usage-buffer=UP,"
                + " operation-buffer=UP, span-buffer=UP, gateway-usage-buffer=UP, redis=UP, kafka=UP]"))).hasSize(3);
    }

    @Test
    void errorHandlingTellsRetryableFailuresFromPermanentOnes() throws Exception {
        ExampleRun run = ExampleRun.withoutKafka("errors");

        List<StorageException> failures = ErrorHandling.run(run.config, run.out);

        assertThat(failures).extracting(e -> e.getClass().getSimpleName() + " " + e.isRetryable()).containsExactly(
                "ConfigException false", "ConnectionException true", "PoolExhaustedException true",
                "NotConfiguredException false");
        assertThat(failures.get(0)).isInstanceOf(ConfigException.class).hasMessageContaining("DB_POOL_MAX_CONNECTIONS")
                .hasMessageContaining("'lots'");
        assertThat(failures.get(1)).isInstanceOf(ConnectionException.class)
                .hasMessageContaining("PostgreSQL connection failed after 2 attempts");
        assertThat(failures.get(2)).isInstanceOf(PoolExhaustedException.class);
        assertThat(failures.get(3)).isInstanceOf(NotConfiguredException.class).hasMessageContaining("KAFKA_BOOTSTRAP_SERVERS");
        assertThat(run.printed()).contains("ConfigException retryable=false (fix the configuration)",
                "ConnectionException retryable=true", "PoolExhaustedException retryable=true (raise DB_POOL_MAX_CONNECTIONS")
                .doesNotContain("s3cret-pw").doesNotContain(run.db.password());
    }

    @Test
    void aSimpleQueryCountsWhatTheTableHolds() throws Exception {
        ExampleRun run = ExampleRun.withoutKafka("simple_query");

        int rows = SimpleQuery.run(run.config, run.out);

        assertThat(rows).isEqualTo(3);
        assertThat(run.queryOne("SELECT count(*) FROM llm_usage_metrics")).isEqualTo(3L);
        assertThat(run.printed()).contains("llm_usage_metrics holds 3 rows", "gpt-4o: 2 calls, 330 tokens",
                "gpt-4o-mini: 1 calls, 330 tokens");
    }

    @Test
    void cacheAsideReadsTheDatabaseOnceThenRedis() throws Exception {
        ExampleRun run = ExampleRun.withoutKafka("cache_aside");

        List<CacheAsideUser.User> reads = CacheAsideUser.run(run.config, run.out);

        CacheAsideUser.User ada = new CacheAsideUser.User("u-42", "Ada Lovelace", "pro");
        assertThat(reads).containsExactly(ada, ada);
        String key = run.redisPrefix() + "user:u-42";
        assertThat(run.redisGet(key)).isEqualTo("{\"id\":\"u-42\",\"name\":\"Ada Lovelace\",\"plan\":\"pro\"}");
        assertThat(run.redisPttl(key)).isBetween(290_000L, 300_000L);
        assertThat(run.queryRows("SELECT id, name, plan FROM users")).containsExactly("u-42|Ada Lovelace|pro");
        assertThat(run.printed()).contains("u-42 from PostgreSQL, cached for 300 s as " + key, "u-42 from Redis: {");
    }

    @Test
    void aRefusedTransferIsRolledBackWhole() throws Exception {
        ExampleRun run = ExampleRun.withoutKafka("transaction");

        Map<String, BigDecimal> balances = Transaction.run(run.config, run.out);

        assertThat(run.queryRows("SELECT user_id, balance FROM user_balances ORDER BY user_id"))
                .containsExactly("alice|5.500000", "bob|4.500000");
        assertThat(balances).containsEntry("alice", new BigDecimal("5.500000")).containsEntry("bob", new BigDecimal("4.500000"));
        assertThat(run.printed()).contains("moving 100 failed and was rolled back: ", "balance_not_negative",
                "alice: 5.500000", "bob: 4.500000");
    }

    private static void assertSchemaMigrated(ExampleRun run) throws Exception {
        assertThat(run.queryOne("SELECT count(*) FROM pg_tables WHERE schemaname = '" + run.id
                + "' AND tablename = 'llm_usage_metrics'")).isEqualTo(1L);
    }
}
