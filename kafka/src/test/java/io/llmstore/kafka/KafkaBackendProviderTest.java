package io.llmstore.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.error.ConnectionException;
import io.llmstore.core.error.StorageException;
import io.llmstore.core.event.PublishReceipt;
import io.llmstore.core.health.HealthReport;
import io.llmstore.core.health.HealthStatus;
import io.llmstore.core.spi.Backend;
import io.llmstore.core.spi.BackendContext;
import io.llmstore.core.spi.BackendProvider;
import io.llmstore.core.usage.UsageWriter;
import io.llmstore.testkit.TcpProxy;
import io.llmstore.testkit.TestServers;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
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
            assertThatThrownBy(() -> pool.events().sink()).as("no PostgreSQL configured, so no sink")
                    .isInstanceOf(io.llmstore.core.error.NotConfiguredException.class)
                    .hasMessageStartingWith("PostgreSQL is not configured: set DATABASE_URL (or DB_HOST) to use the usage sink");
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
            io.llmstore.core.event.EventSink sink = pool.events().sink().start();
            pool.events().publishAll(KafkaTestSupport.events(100)).get(30, TimeUnit.SECONDS);

            await().atMost(Duration.ofSeconds(60)).until(() -> writer.rows() == 100);
            assertThat(sink.isRunning()).isTrue();
            assertThat(pool.events().sink()).isSameAs(sink);
        }
    }

    @Test
    void anUnreachableBrokerFailsPoolCreationNamingKafkaWhenKafkaIsRequired() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        StorageConfig config = StorageConfig.builder().kafkaBootstrapServers("127.0.0.1:" + closedPort)
                .set("KAFKA_HEALTH_TIMEOUT", "500ms").set("DB_RETRY_MAX_ATTEMPTS", "2")
                .set("DB_RETRY_INITIAL_BACKOFF", "50ms").set("KAFKA_REQUIRED", "true").build();
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

    /**
     * Kafka down at start-up: the pool opens DEGRADED (it used to throw), publishes fail at once with a retryable
     * error, and when the broker answers the topics are created and publishing resumes by itself. KAFKA_REQUIRED=true
     * keeps the old fail-fast start-up.
     */
    @Test
    void kafkaDownAtStartUpOpensThePoolDegradedAndPublishingResumesWhenItAnswers() throws Exception {
        String prefix = KafkaTestSupport.randomPrefix();
        String[] host = KafkaTestSupport.bootstrap().split(":");
        try (TcpProxy proxy = TcpProxy.to(host[0], Integer.parseInt(host[1]))) {
            proxy.refuseNew();
            StorageConfig.Builder config = StorageConfig.builder()
                    .kafkaBootstrapServers("127.0.0.1:" + proxy.port())
                    .set("KAFKA_TOPIC_PREFIX", prefix)
                    .set("KAFKA_HEALTH_TIMEOUT", "500ms")
                    .set("DB_RETRY_MAX_ATTEMPTS", "2")
                    .set("KAFKA_PRODUCER_MAX_BLOCK", "2s");
            assertThatThrownBy(() -> StoragePool.create(config.set("KAFKA_REQUIRED", "true").build()))
                    .isInstanceOf(ConnectionException.class).hasMessageContaining("Kafka connection failed");

            try (StoragePool pool = StoragePool.create(config.set("KAFKA_REQUIRED", "false").build())) {
                assertThat(pool.healthCheck().status()).isEqualTo(HealthStatus.DEGRADED);
                long t0 = System.nanoTime();
                CompletableFuture<PublishReceipt> refused = pool.events().publish(KafkaTestSupport.event("u-1", 1));
                assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(100);
                assertThat(refused).isCompletedExceptionally();
                assertThatThrownBy(refused::join).cause().isInstanceOf(ConnectionException.class)
                        .satisfies(e -> assertThat(((StorageException) e).isRetryable()).isTrue());

                proxy.resume(); // the broker answers
                long answeredAt = System.nanoTime();
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
                    try {
                        pool.events().publish(KafkaTestSupport.event("u-1", 2)).get(10, TimeUnit.SECONDS);
                        return true;
                    } catch (ExecutionException e) {
                        return false;
                    }
                });
                System.out.printf("Kafka down at start-up: publishing resumed %d ms after the broker answered%n",
                        (System.nanoTime() - answeredAt) / 1_000_000);
                assertThat(pool.client(ProvisionResult.class).orElseThrow().created()).contains(prefix + "llm-events");
                await().atMost(Duration.ofSeconds(10)).until(() -> pool.healthCheck().status() == HealthStatus.UP);
            }
        }
    }
}
