package io.llmstore.examples.storage;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.health.HealthReport;
import java.io.PrintStream;

/** What is the least code that connects and proves the storage is ready? */
public final class MinimalSetup {
    private MinimalSetup() {
    }

    /** Needs {@code DATABASE_URL}, or {@code DB_PASSWORD} (and {@code DB_HOST}... when not the defaults). */
    public static void main(String[] args) {
        run(StorageConfig.fromEnv(), System.out);
    }

    /** Opens the pool (retrying the connection), checks health and prints it; returns the report. */
    public static HealthReport run(StorageConfig config, PrintStream out) {
        try (StoragePool pool = StoragePool.create(config)) {
            HealthReport health = pool.healthCheck();
            out.println(health.isUp() ? "Storage is ready!" : "Storage is " + health.status() + ": " + health);
            return health;
        }
    }
}
