package io.llmstore.kafka;

import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.spi.Backend;
import io.llmstore.core.spi.BackendContext;
import io.llmstore.core.spi.BackendProvider;
import io.llmstore.kafka.internal.KafkaBackend;

/**
 * The {@code kafka} backend (order 300, after PostgreSQL and Redis, so the sink finds the usage writer): one
 * idempotent producer and one admin client from {@code KAFKA_BOOTSTRAP_SERVERS}, the broker verified with
 * {@code describeCluster} under the connect retry policy, topics provisioned when {@code KAFKA_TOPICS_PROVISION}.
 *
 * <p>Serves through {@code StoragePool}: {@code events()} ({@link KafkaEventPublisher}), and through
 * {@code client(...)}: {@link org.apache.kafka.clients.producer.Producer} ({@code byte[]} keys and values),
 * {@link org.apache.kafka.clients.admin.Admin}, {@link KafkaTopics}, {@link ProvisionResult}, {@link KafkaOptions}
 * and {@link KafkaSink} (when PostgreSQL is configured; not started). Health is not critical: Kafka down makes the
 * pool DEGRADED; a broker that does not answer at start-up opens the backend DEGRADED too (publishes fail at once
 * until it answers, then topics are provisioned), unless {@code KAFKA_REQUIRED=true}. Found by
 * {@link java.util.ServiceLoader}.
 */
public final class KafkaBackendProvider implements BackendProvider {
    /** Opens after PostgreSQL (100) and Redis (200). */
    public static final int ORDER = 300;

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
        return config.kafka().isPresent();
    }

    @Override
    public Backend open(BackendContext context) {
        return KafkaBackend.open(context);
    }
}
