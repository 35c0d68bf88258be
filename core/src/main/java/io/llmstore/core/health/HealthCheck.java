package io.llmstore.core.health;

import java.time.Duration;
import java.util.Objects;
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
     * The longest {@link #check()} may take. The pool runs every component's check at once and reports a component
     * that has not answered within its timeout as DOWN, so a health report takes the largest timeout, not the sum.
     */
    Duration timeout();

    /**
     * A check that runs {@code probe} and reports UP when it returns, DOWN with the exception's message when it
     * throws. The probe should bound its own time by {@code timeout} (driver timeouts); the pool stops waiting for it
     * then either way.
     *
     * @param timeout the longest the probe may take, &gt; 0
     */
    static HealthCheck of(String component, boolean critical, Duration timeout, Runnable probe) {
        Objects.requireNonNull(component, "component");
        Objects.requireNonNull(probe, "probe");
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be > 0, was " + timeout);
        }
        return new HealthCheck() {
            @Override
            public Duration timeout() {
                return timeout;
            }

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
