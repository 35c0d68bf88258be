package io.llmstore.core.spi;

import io.llmstore.core.config.StorageConfig;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * What one backend is and how a user turns it on: its provider name, its display name, the variables that configure
 * it, the artifact that brings it and the provider factory that injects the application's own resource. Features
 * name the backends they need ({@link Feature}); their "not configured" messages are built from these descriptors,
 * so no message text lives in {@code StoragePool}.
 *
 * @param name       the provider's {@link BackendProvider#name()}, e.g. {@code postgres}
 * @param display    the server's name in messages, e.g. {@code PostgreSQL}
 * @param variables  what to set, e.g. {@code DATABASE_URL (or DB_HOST)}
 * @param artifact   the Maven artifact holding the provider, e.g. {@code llmstore-timescale}
 * @param injection  the builder call that hands the pool an existing resource instead
 * @param configured true when a configuration asks for this backend through its variables
 */
public record BackendDescriptor(String name, String display, String variables, String artifact, String injection,
                                Predicate<StorageConfig> configured) {
    /** PostgreSQL / TimescaleDB: usage recording, analytics, schema. */
    public static final BackendDescriptor POSTGRES = new BackendDescriptor("postgres", "PostgreSQL",
            "DATABASE_URL (or DB_HOST)", "llmstore-timescale",
            "StoragePool.builder(config).backend(PostgresBackendProvider.using(dataSource))",
            c -> c.postgres().isPresent());
    /** Redis: the shared response cache, sessions and rate limits (in-process fallbacks without it). */
    public static final BackendDescriptor REDIS = new BackendDescriptor("redis", "Redis", "REDIS_URL",
            "llmstore-redis", "StoragePool.builder(config).backend(RedisBackendProvider.using(redisClient))",
            c -> c.redis().isPresent());
    /** Kafka: event publishing and the usage sink. */
    public static final BackendDescriptor KAFKA = new BackendDescriptor("kafka", "Kafka", "KAFKA_BOOTSTRAP_SERVERS",
            "llmstore-kafka", "StoragePool.builder(config).backend(KafkaBackendProvider.using(producer))",
            c -> c.kafka().isPresent());

    /** The backends llmstore ships, in opening order. */
    public static final List<BackendDescriptor> ALL = List.of(POSTGRES, REDIS, KAFKA);

    public BackendDescriptor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(display, "display");
        Objects.requireNonNull(variables, "variables");
        Objects.requireNonNull(artifact, "artifact");
        Objects.requireNonNull(injection, "injection");
        Objects.requireNonNull(configured, "configured");
    }

    /** True when {@code config} sets this backend's variables. */
    public boolean isConfiguredIn(StorageConfig config) {
        return configured.test(config);
    }

    @Override
    public String toString() {
        return name;
    }
}
