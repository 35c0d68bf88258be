package io.llmstore.examples.storage;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.health.HealthReport;
import java.io.PrintStream;
import java.nio.file.Path;

/** How do I configure from a YAML file ({@code postgres.url}, {@code pool.max_connections}, ...)? */
public final class ConfigureFromYaml {
    private ConfigureFromYaml() {
    }

    /** {@code ConfigureFromYaml [llmstore.yml]}: the file, under the environment, {@code .env} and system properties. */
    public static void main(String[] args) {
        StorageConfig config = StorageConfig.fromFile(Path.of(args.length > 0 ? args[0] : "llmstore.yml"));
        open(config, System.out);
    }

    /** Opens a pool configured by the YAML file alone (no environment over it) and prints it. */
    public static HealthReport run(Path yaml, PrintStream out) {
        return open(StorageConfig.builder().yamlFile(yaml).build(), out);
    }

    private static HealthReport open(StorageConfig config, PrintStream out) {
        out.println(config);
        try (StoragePool pool = StoragePool.create(config)) {
            pool.usage().migrate();
            HealthReport health = pool.healthCheck();
            out.println("health " + health.status() + ", pool max " + pool.stats().postgres().orElseThrow().max());
            return health;
        }
    }
}
