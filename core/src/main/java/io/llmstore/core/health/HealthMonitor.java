package io.llmstore.core.health;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs health checks on a schedule and logs transitions (WARN when a component goes down, INFO when it comes
 * back). Owns one daemon thread; {@link #close()} stops it, idempotently, waiting at most the given bound.
 */
public final class HealthMonitor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HealthMonitor.class);

    private final ScheduledExecutorService scheduler;
    private final Supplier<HealthReport> checks;
    private final Consumer<HealthReport> listener;
    private volatile HealthReport latest;

    private HealthMonitor(Supplier<HealthReport> checks, Duration interval, Consumer<HealthReport> listener) {
        this.checks = checks;
        this.listener = listener;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "llmstore-health");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(this::runOnce, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Starts checking every {@code interval}; {@code listener} (may be a no-op) sees every report on the
     * monitor's thread.
     */
    public static HealthMonitor start(Supplier<HealthReport> checks, Duration interval, Consumer<HealthReport> listener) {
        Objects.requireNonNull(checks, "checks");
        Objects.requireNonNull(listener, "listener");
        if (interval == null || interval.toMillis() < 1) {
            throw new IllegalArgumentException("interval must be >= 1ms, was " + interval);
        }
        return new HealthMonitor(checks, interval, listener);
    }

    /** The last report, or null before the first check finished. */
    public HealthReport latest() {
        return latest;
    }

    private void runOnce() {
        try {
            HealthReport report = checks.get();
            HealthReport previous = latest;
            latest = report;
            logTransitions(previous, report);
            listener.accept(report);
        } catch (RuntimeException e) {
            log.warn("health check run failed: {}", e.toString());
        }
    }

    private static void logTransitions(HealthReport previous, HealthReport now) {
        for (ComponentHealth c : now.components()) {
            HealthStatus before = previous == null ? HealthStatus.UP
                    : previous.component(c.component()).map(ComponentHealth::status).orElse(HealthStatus.UP);
            if (before != c.status()) {
                if (c.isUp()) {
                    log.info("{} is UP again", c.component());
                } else {
                    log.warn("{} is {}: {}", c.component(), c.status(), c.error().orElse("no detail"));
                }
            }
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
