package io.llmstore.examples;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.error.StorageException;
import io.llmstore.core.health.ComponentHealth;
import io.llmstore.core.health.HealthReport;
import io.llmstore.core.health.HealthStatus;

/**
 * Checks that the configured servers answer: loads the configuration the way an application would
 * ({@link StorageConfig#fromEnv()}, or {@link StorageConfig#fromFile} when a YAML path is given), connects,
 * prints the effective configuration (secrets masked) and one health line per component.
 *
 * <p>Exit code: 0 when UP, 1 when DEGRADED, 2 when DOWN or the configuration or connection failed.
 */
public final class TestConnection {
    private TestConnection() {
    }

    public static void main(String[] args) {
        StorageConfig config;
        try {
            config = args.length > 0 ? StorageConfig.fromFile(java.nio.file.Path.of(args[0])) : StorageConfig.fromEnv();
        } catch (StorageException e) {
            System.err.println("configuration: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.out.println(config);
        try (StoragePool pool = StoragePool.create(config)) {
            HealthReport report = pool.healthCheck();
            for (ComponentHealth c : report.components()) {
                System.out.printf("%-9s %-5s %6.1f ms %s%n", c.component(), c.status(), c.latency().toNanos() / 1e6,
                        c.error().orElse(""));
            }
            System.out.println("overall   " + report.status());
            pool.stats().postgres().ifPresent(s -> System.out.printf(
                    "postgres pool: %d active, %d idle, %d/%d, %.0f%% used%n", s.active(), s.idle(), s.total(), s.max(),
                    s.utilizationPercent()));
            System.exit(report.status() == HealthStatus.UP ? 0 : report.status() == HealthStatus.DEGRADED ? 1 : 2);
        } catch (StorageException e) {
            System.err.println("connection: " + e.getMessage());
            System.exit(2);
        }
    }
}
