package io.llmstore.examples.storage;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.health.ComponentHealth;
import io.llmstore.core.health.HealthReport;
import java.io.PrintStream;

/** Are PostgreSQL, Redis and Kafka up, and how fast do they answer? */
public final class HealthChecks {
    private HealthChecks() {
    }

    /** Runs the example with whatever backends the environment configures. */
    public static void main(String[] args) {
        run(StorageConfig.fromEnv(), System.out);
    }

    /** Checks every configured component once and prints one line each; returns the report. */
    public static HealthReport run(StorageConfig config, PrintStream out) {
        try (StoragePool pool = StoragePool.create(config)) {
            HealthReport report = pool.healthCheck(); // UP, DEGRADED (Redis or Kafka down), DOWN (PostgreSQL down)
            for (ComponentHealth c : report.components()) {
                out.printf("%-8s %-4s %4d ms%s%s%n", c.component(), c.status(), c.latency().toMillis(),
                        c.critical() ? " (critical)" : "", c.error().map(e -> " " + e).orElse(""));
            }
            report.component("redis").filter(c -> !c.isUp())
                    .ifPresent(c -> out.println("cache and limiters degrade, the app keeps working"));
            out.println("overall " + report.status());
            return report;
        }
    }
}
