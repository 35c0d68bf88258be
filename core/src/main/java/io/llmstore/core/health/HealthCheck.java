package io.llmstore.core.health;

import java.time.Duration;
import java.util.Optional;

/**
 * Checks one component. Implementations are cheap (one round trip), bounded in time by the backend's own
 * timeouts, and never throw: a failure is a DOWN {@link ComponentHealth}.
 */
public interface HealthCheck {
    /** The component name in reports: "postgres", "redis", "kafka". */
    String component();

    /** True when this component being down makes the whole pool DOWN rather than DEGRADED. */
    boolean isCritical();

    /** Runs the check now. */
    ComponentHealth check();

    /**
     * A check that runs {@code probe} and reports UP when it returns, DOWN with the exception's message when it
     * throws. The probe must bound its own time (driver timeouts).
     */
    static HealthCheck of(String component, boolean critical, Runnable probe) {
        return new HealthCheck() {
            @Override
            public String component() {
                return component;
            }

            @Override
            public boolean isCritical() {
                return critical;
            }

            @Override
            public ComponentHealth check() {
                long start = System.nanoTime();
                try {
                    probe.run();
                    return new ComponentHealth(component, HealthStatus.UP, critical,
                            Duration.ofNanos(System.nanoTime() - start), Optional.empty());
                } catch (RuntimeException e) {
                    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                    return new ComponentHealth(component, HealthStatus.DOWN, critical,
                            Duration.ofNanos(System.nanoTime() - start), Optional.of(message));
                }
            }
        };
    }
}
