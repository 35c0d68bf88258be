package io.llmstore.examples.storage;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.health.HealthReport;
import java.io.PrintStream;
import java.util.Map;

/** How do I configure from environment variables (the recommended way for deployments)? */
public final class ConfigureFromEnvironment {
    private ConfigureFromEnvironment() {
    }

    /** Reads {@code DATABASE_URL} or {@code DB_*}, {@code REDIS_URL}, {@code DB_POOL_*}... from the process. */
    public static void main(String[] args) {
        run(System.getenv(), System.out);
    }

    /**
     * Opens a pool configured by {@code environment} and prints it. In an application this is
     * {@code StorageConfig.fromEnv()}, which also reads system properties and {@code ./.env}; the map form lets you
     * pass your own (and lets the test pass one).
     */
    public static HealthReport run(Map<String, String> environment, PrintStream out) {
        StorageConfig config = StorageConfig.builder().environment(environment).build();
        out.println(config);
        try (StoragePool pool = StoragePool.create(config)) {
            pool.usage().migrate(); // into DB_SCHEMA, when set
            HealthReport health = pool.healthCheck();
            out.println("health " + health.status() + ", pool max " + pool.stats().postgres().orElseThrow().max());
            return health;
        }
    }
}
