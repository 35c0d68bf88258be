package io.llmstore.core.health;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of one component's check.
 *
 * @param component "postgres", "redis", "kafka"
 * @param status    UP or DOWN for a single component
 * @param critical  true when this component being down makes the whole pool DOWN
 * @param latency   how long the check took
 * @param error     why it is down (already free of secrets), empty when up
 */
public record ComponentHealth(String component, HealthStatus status, boolean critical, Duration latency,
                              Optional<String> error) {
    public ComponentHealth {
        Objects.requireNonNull(component, "component");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(latency, "latency");
        error = error == null ? Optional.empty() : error;
    }

    public boolean isUp() {
        return status == HealthStatus.UP;
    }
}
