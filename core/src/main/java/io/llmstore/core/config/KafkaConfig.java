package io.llmstore.core.config;

import java.util.List;
import java.util.Objects;

/**
 * Resolved Kafka settings.
 *
 * @param bootstrapServers host:port pairs
 * @param clientId         client.id prefix for producers, consumers and admin
 */
public record KafkaConfig(List<String> bootstrapServers, String clientId) {
    public KafkaConfig {
        bootstrapServers = List.copyOf(bootstrapServers);
        Objects.requireNonNull(clientId, "clientId");
        if (bootstrapServers.isEmpty()) {
            throw new IllegalArgumentException("bootstrapServers must not be empty");
        }
    }

    /** The comma-joined form kafka-clients expects. */
    public String bootstrapServersText() {
        return String.join(",", bootstrapServers);
    }
}
