package io.llmstore.examples.storage;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.health.HealthReport;
import java.io.PrintStream;
import java.nio.file.Path;

/** How do I keep my development settings in a {@code .env} file? */
public final class ConfigureFromDotEnv {
    private ConfigureFromDotEnv() {
    }

    /** Reads {@code ./.env} (lines {@code NAME=value}); a variable set in the environment wins over the file. */
    public static void main(String[] args) {
        run(Path.of(".env"), System.out);
    }

    /**
     * Opens a pool configured by the {@code .env} file and prints it. {@code StorageConfig.fromEnv()} reads
     * {@code ./.env} by itself; this names the file, for one kept elsewhere.
     */
    public static HealthReport run(Path dotEnv, PrintStream out) {
        StorageConfig config = StorageConfig.builder().dotEnvFile(dotEnv).build();
        out.println(config);
        try (StoragePool pool = StoragePool.create(config)) {
            pool.usage().migrate();
            HealthReport health = pool.healthCheck();
            out.println("health " + health.status() + ", pool max " + pool.stats().postgres().orElseThrow().max());
            return health;
        }
    }
}
