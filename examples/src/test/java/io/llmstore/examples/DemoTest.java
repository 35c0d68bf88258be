package io.llmstore.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.health.HealthReport;
import io.llmstore.core.health.HealthStatus;
import io.llmstore.testkit.PostgresServer;
import io.llmstore.testkit.TestServers;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The demo runs end to end on the real servers, as `scripts/demo` runs it, so it cannot rot. */
class DemoTest {
    @Test
    void theDemoToursEveryFeatureAndEndsHealthy() throws Exception {
        PostgresServer timescale = TestServers.timescale();
        String schema = "demo_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        StorageConfig config = StorageConfig.builder().environment(Map.of()).systemProperties(new Properties())
                .databaseUrl(timescale.databaseUrl())
                .set("DB_SCHEMA", schema)
                .redisUrl(TestServers.redis().uri())
                .kafkaBootstrapServers(TestServers.kafka().bootstrapServers())
                .set("KAFKA_TOPIC_PREFIX", schema + ".")
                .set("REDIS_KEY_PREFIX", schema + ":")
                .build();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        HealthReport health = Demo.run(config, new PrintStream(bytes, true, StandardCharsets.UTF_8));

        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(health.status()).isEqualTo(HealthStatus.UP);
        assertThat(out).contains("flavor=timescaledb", "claude-sonnet-4-5", "(LLM call #1)", "DENIED",
                "handled=100", "overall UP");
        assertThat(out).doesNotContain("(LLM call #2)").doesNotContain(timescale.password());
    }
}
