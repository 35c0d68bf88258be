package io.llmstore.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.error.ConnectionException;
import io.llmstore.core.event.PublishReceipt;
import io.llmstore.core.health.HealthReport;
import io.llmstore.core.health.HealthStatus;
import io.llmstore.core.spi.Backend;
import io.llmstore.core.spi.BackendContext;
import io.llmstore.core.spi.BackendProvider;
import io.llmstore.core.usage.UsageWriter;
import io.llmstore.testkit.TestServers;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.Producer;
import org.junit.jupiter.api.Test;

/** The {@code kafka} backend through {@link StoragePool}: found by ServiceLoader, publishing, sink, health, failure. */
class KafkaBackendProviderTest {

    @Test
    void thePoolProvisionsTopicsPublishesEventsAndHandsOutTheRawClients() throws Exception {
        String prefix = KafkaTestSupport.randomPrefix();
        try (StoragePool pool = StoragePool.create(KafkaTestSupport.config(prefix))) {
            assertThat(pool.client(ProvisionResult.class)).get().satisfies(r -> assertThat(r.created()).hasSize(6));

            PublishReceipt receipt = pool.events().publish(KafkaTestSupport.event("u-1", 1)).get(30, TimeUnit.SECONDS);

            assertThat(receipt.topic()).isEqualTo(prefix + "llm-events");
            assertThat(pool.client(Producer.class)).isPresent();
            assertThat(pool.client(Admin.class)).isPresent();
            assertThat(pool.client(KafkaTopics.class)).get().satisfies(t -> assertThat(t.provision().isOk()).isTrue());
            assertThat(pool.client(KafkaSink.class)).as("no PostgreSQL configured, so no sink").isEmpty();
            HealthReport health = pool.healthCheck();
            assertThat(health.status()).isEqualTo(HealthStatus.UP);
            assertThat(health.component("kafka")).get().satisfies(c -> {
                assertThat(c.status()).isEqualTo(HealthStatus.UP);
                assertThat(c.critical()).as("Kafka down makes the pool DEGRADED, not DOWN").isFalse();
            });
        }
    }

    @Test
    void theSinkFromThePoolWritesEventsThroughThePostgresUsageWriter() throws Exception {
        String prefix = KafkaTestSupport.randomPrefix();
        StorageConfig config = StorageConfig.builder()
                .kafkaBootstrapServers(KafkaTestSupport.bootstrap())
                .databaseUrl(TestServers.postgres().databaseUrl())
                .set("KAFKA_TOPIC_PREFIX", prefix)
                .set("KAFKA_SINK_GROUP", prefix + "sink")
                .build();
        try (JdbcUsageWriter writer = new JdbcUsageWriter(prefix + "pool");
             StoragePool pool = StoragePool.builder(config).backend(postgresServing(writer)).build()) {
            KafkaSink sink = pool.client(KafkaSink.class).orElseThrow().start();
            pool.events().publishAll(KafkaTestSupport.events(100)).get(30, TimeUnit.SECONDS);

            await().atMost(Duration.ofSeconds(60)).until(() -> writer.rows() == 100);
            assertThat(sink.isRunning()).isTrue();
            assertThat(pool.client(KafkaSink.class)).containsSame(sink);
        }
    }

    @Test
    void anUnreachableBrokerFailsPoolCreationNamingKafka() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        StorageConfig config = StorageConfig.builder().kafkaBootstrapServers("127.0.0.1:" + closedPort)
                .set("KAFKA_HEALTH_TIMEOUT", "500ms").set("DB_RETRY_MAX_ATTEMPTS", "2")
                .set("DB_RETRY_INITIAL_BACKOFF", "50ms").build();
        long start = System.nanoTime();
        assertThatThrownBy(() -> StoragePool.create(config))
                .isInstanceOf(ConnectionException.class)
                .hasMessageStartingWith("Kafka connection failed after 2 attempts")
                .hasMessageContaining("127.0.0.1:" + closedPort);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    /** A "postgres" backend serving only the test's JDBC usage writer (the timescale module's is built elsewhere). */
    private static BackendProvider postgresServing(UsageWriter writer) {
        return new BackendProvider() {
            @Override
            public String name() {
                return "postgres";
            }

            @Override
            public int order() {
                return 100;
            }

            @Override
            public boolean isConfigured(StorageConfig config) {
                return config.postgres().isPresent();
            }

            @Override
            public Backend open(BackendContext context) {
                return new Backend() {
                    @Override
                    public String name() {
                        return "postgres";
                    }

                    @Override
                    public <T> Optional<T> find(Class<T> type) {
                        return type == UsageWriter.class ? Optional.of(type.cast(writer)) : Optional.empty();
                    }

                    @Override
                    public List<io.llmstore.core.health.HealthCheck> healthChecks() {
                        return List.of();
                    }

                    @Override
                    public void close() {
                    }
                };
            }
        };
    }
}
