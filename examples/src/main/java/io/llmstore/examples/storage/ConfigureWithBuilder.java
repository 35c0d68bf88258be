package io.llmstore.examples.storage;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.health.HealthReport;
import java.io.PrintStream;
import java.time.Duration;

/** How do I configure everything in code, ignoring the environment? */
public final class ConfigureWithBuilder {
    private ConfigureWithBuilder() {
    }

    /** {@code ConfigureWithBuilder <postgresql://user:pass@host:port/db> <redis://host:port>}. */
    public static void main(String[] args) {
        run(args[0], args[1], System.out);
    }

    /** Builds a configuration from these URLs and a few pool settings, opens it and prints what it resolved. */
    public static HealthReport run(String databaseUrl, String redisUrl, PrintStream out) {
        StorageConfig config = StorageConfig.builder() // nothing ambient: no environment, no .env, no YAML
                .databaseUrl(databaseUrl)
                .redisUrl(redisUrl)
                .poolMaxConnections(4)
                .connectTimeout(Duration.ofSeconds(2))
                .set("DB_APP_NAME", "builder-example") // any variable by name, checked like the environment's
                .build();
        out.println(config); // effective values and where they came from; the password is masked
        try (StoragePool pool = StoragePool.create(config)) {
            HealthReport health = pool.healthCheck();
            out.println("health " + health.status() + ", pool max " + pool.stats().postgres().orElseThrow().max());
            return health;
        }
    }
}
