package io.llmstore.core.health;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The health of every configured component at one moment.
 *
 * @param status     DOWN if a critical component is down, DEGRADED if an optional one is, else UP
 * @param components one entry per component, in wiring order
 * @param checkedAt  when the checks ran
 */
public record HealthReport(HealthStatus status, List<ComponentHealth> components, Instant checkedAt) {
    public HealthReport {
        Objects.requireNonNull(status, "status");
        components = List.copyOf(components);
        Objects.requireNonNull(checkedAt, "checkedAt");
    }

    /** The report for these component results: the overall status follows from them. */
    public static HealthReport of(List<ComponentHealth> components, Instant checkedAt) {
        HealthStatus overall = HealthStatus.UP;
        for (ComponentHealth c : components) {
            if (c.status() != HealthStatus.UP) {
                if (c.critical()) {
                    overall = HealthStatus.DOWN;
                } else if (overall == HealthStatus.UP) {
                    overall = HealthStatus.DEGRADED;
                }
            }
        }
        return new HealthReport(overall, components, checkedAt);
    }

    /** The named component's result, empty when it is not configured. */
    public Optional<ComponentHealth> component(String name) {
        return components.stream().filter(c -> c.component().equals(name)).findFirst();
    }

    public boolean isUp() {
        return status == HealthStatus.UP;
    }
}
