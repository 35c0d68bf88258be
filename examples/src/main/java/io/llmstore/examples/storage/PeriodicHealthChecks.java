package io.llmstore.examples.storage;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.health.HealthMonitor;
import io.llmstore.core.health.HealthReport;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** How do I check health in the background, every N seconds, and hear about it? */
public final class PeriodicHealthChecks {
    private PeriodicHealthChecks() {
    }

    /** Runs the example with whatever backends the environment configures, checking every 30 s for 2 minutes. */
    public static void main(String[] args) throws InterruptedException {
        run(StorageConfig.fromEnv(), Duration.ofSeconds(30), 4, System.out);
    }

    /**
     * Starts the pool's health monitor (one daemon thread; it logs each component's transitions itself), prints
     * {@code reports} reports and stops it. Returns them.
     */
    public static List<HealthReport> run(StorageConfig config, Duration interval, int reports, PrintStream out)
            throws InterruptedException {
        try (StoragePool pool = StoragePool.create(config)) {
            List<HealthReport> seen = new CopyOnWriteArrayList<>();
            CountDownLatch enough = new CountDownLatch(reports);
            try (HealthMonitor monitor = pool.startHealthMonitor(interval, report -> {
                if (seen.size() < reports) {
                    seen.add(report);
                    out.println(report.checkedAt() + " health " + report.status() + " " + report.components().stream()
                            .map(c -> c.component() + "=" + c.status()).toList());
                }
                enough.countDown();
            })) {
                enough.await(interval.toMillis() * (reports + 1) + 30_000, TimeUnit.MILLISECONDS);
            } // closing the monitor stops it; the pool would stop it on close() too
            return seen;
        }
    }
}
