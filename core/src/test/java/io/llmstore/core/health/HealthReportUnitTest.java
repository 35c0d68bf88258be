package io.llmstore.core.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class HealthReportUnitTest {
    private final HealthCheck up = HealthCheck.of("postgres", true, java.time.Duration.ofSeconds(1), () -> { });
    private final HealthCheck optionalDown = HealthCheck.of("redis", false, java.time.Duration.ofSeconds(1), () -> {
        throw new IllegalStateException("Connection refused: 127.0.0.1:1");
    });
    private final HealthCheck criticalDown = HealthCheck.of("postgres", true, java.time.Duration.ofSeconds(1), () -> {
        throw new IllegalStateException("gone");
    });

    @Test
    void allUpIsUp() {
        assertThat(HealthReport.of(List.of(up.check()), Instant.EPOCH).status()).isEqualTo(HealthStatus.UP);
    }

    @Test
    void anOptionalComponentDownIsDegradedWithItsError() {
        HealthReport report = HealthReport.of(List.of(up.check(), optionalDown.check()), Instant.EPOCH);

        assertThat(report.status()).isEqualTo(HealthStatus.DEGRADED);
        assertThat(report.component("redis").orElseThrow().error()).contains("Connection refused: 127.0.0.1:1");
    }

    @Test
    void aCriticalComponentDownIsDown() {
        HealthReport report = HealthReport.of(List.of(criticalDown.check(), optionalDown.check()), Instant.EPOCH);

        assertThat(report.status()).isEqualTo(HealthStatus.DOWN);
    }

    @Test
    void monitorReportsPeriodicallyAndStopsOnClose() throws InterruptedException {
        AtomicBoolean healthy = new AtomicBoolean(true);
        HealthCheck flapping = HealthCheck.of("redis", false, java.time.Duration.ofSeconds(1), () -> {
            if (!healthy.get()) {
                throw new IllegalStateException("down");
            }
        });
        List<HealthStatus> seen = new CopyOnWriteArrayList<>();
        HealthMonitor monitor = HealthMonitor.start(() -> HealthReport.of(List.of(flapping.check()), Instant.now()),
                Duration.ofMillis(5), r -> seen.add(r.status()));
        try {
            waitFor(() -> seen.contains(HealthStatus.UP));
            healthy.set(false);
            waitFor(() -> seen.contains(HealthStatus.DEGRADED));
        } finally {
            monitor.close();
        }
        int count = seen.size();
        Thread.sleep(50);
        assertThat(seen).hasSize(count);
        assertThat(monitor.latest().status()).isEqualTo(HealthStatus.DEGRADED);
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 5s");
            }
            Thread.sleep(5);
        }
    }
}
