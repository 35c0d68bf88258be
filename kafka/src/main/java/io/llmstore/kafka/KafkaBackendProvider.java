package io.llmstore.kafka;

import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.spi.Backend;
import io.llmstore.core.spi.BackendContext;
import io.llmstore.core.spi.BackendProvider;
import io.llmstore.kafka.internal.KafkaBackend;
import java.util.Objects;
import org.apache.kafka.clients.producer.Producer;

/**
 * The {@code kafka} backend (order 300, after PostgreSQL and Redis, so the sink finds the usage writer): one
 * idempotent producer and one admin client from {@code KAFKA_BOOTSTRAP_SERVERS}, the broker verified with
 * {@code describeCluster} under the connect retry policy, topics provisioned when {@code KAFKA_TOPICS_PROVISION};
 * or, with {@link #using}, the application's own producer.
 *
 * <p>Serves through {@code StoragePool}: {@code events()} (publishing through {@link KafkaEventPublisher}) and
 * {@code events().sink()} ({@link KafkaSink}, when PostgreSQL is open; not started), and through
 * {@code client(...)}: {@link org.apache.kafka.clients.producer.Producer} ({@code byte[]} keys and values, or the
 * application's as given), {@link org.apache.kafka.clients.admin.Admin}, {@link KafkaTopics}, {@link ProvisionResult}
 * and {@link KafkaOptions}. Health is not critical: Kafka down makes the
 * pool DEGRADED; a broker that does not answer at start-up opens the backend DEGRADED too (publishes fail at once
 * until it answers, then topics are provisioned), unless {@code KAFKA_REQUIRED=true}. Found by
 * {@link java.util.ServiceLoader}.
 */
public final class KafkaBackendProvider implements BackendProvider {
    /** Opens after PostgreSQL (100) and Redis (200). */
    public static final int ORDER = 300;

    /** The producer the application handed over with {@link #using}; null when the backend creates its own. */
    private final Producer<String, String> producer;

    /** The ServiceLoader's provider: the backend creates, owns and closes its producer. */
    public KafkaBackendProvider() {
        this(null);
    }

    private KafkaBackendProvider(Producer<String, String> producer) {
        this.producer = producer;
    }

    /**
     * A provider publishing through the application's own producer:
     * {@code StoragePool.builder(config).backend(KafkaBackendProvider.using(producer))}. It replaces the
     * ServiceLoader one and is configured even without {@code KAFKA_BOOTSTRAP_SERVERS}.
     *
     * <p>The producer is used as given (its serializers must be {@code StringSerializer}s; its acks, idempotence,
     * compression and timeouts are the application's: the {@code KAFKA_PRODUCER_*} settings do not apply) and is
     * <b>never closed</b> by the pool, only flushed when the pool closes; {@code pool.client(Producer.class)} returns
     * it. With {@code KAFKA_BOOTSTRAP_SERVERS} set, the pool still builds its own admin client from it (health,
     * topic provisioning) and the sink's consumer and dead-letter producer; without it, topics are not provisioned
     * (they must exist), health asks this producer for the events topic's partitions, and {@code events().sink()}
     * throws a {@link io.llmstore.core.error.NotConfiguredException} naming {@code KAFKA_BOOTSTRAP_SERVERS}.
     *
     * @param producer the application's producer; not closed by the pool
     */
    public static KafkaBackendProvider using(Producer<String, String> producer) {
        return new KafkaBackendProvider(Objects.requireNonNull(producer, "producer"));
    }

    @Override
    public String name() {
        return "kafka";
    }

    @Override
    public int order() {
        return ORDER;
    }

    @Override
    public boolean isConfigured(StorageConfig config) {
        return producer != null || config.kafka().isPresent();
    }

    @Override
    public Backend open(BackendContext context) {
        return KafkaBackend.open(context, producer);
    }
}
