package io.llmstore.core;

import io.llmstore.core.cache.ResponseCache;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.error.ConfigException;
import io.llmstore.core.error.NotConfiguredException;
import io.llmstore.core.event.EventPublisher;
import io.llmstore.core.health.ComponentHealth;
import io.llmstore.core.health.HealthCheck;
import io.llmstore.core.health.HealthMonitor;
import io.llmstore.core.health.HealthReport;
import io.llmstore.core.internal.ConcurrentHealthChecks;
import io.llmstore.core.ratelimit.RateLimiters;
import io.llmstore.core.retry.RetryPolicy;
import io.llmstore.core.session.SessionStore;
import io.llmstore.core.spi.Backend;
import io.llmstore.core.spi.BackendContext;
import io.llmstore.core.spi.BackendProvider;
import io.llmstore.core.stats.CacheStats;
import io.llmstore.core.stats.ConnectionPoolStats;
import io.llmstore.core.stats.PoolStats;
import io.llmstore.core.stats.RateLimiterStats;
import io.llmstore.core.usage.BufferedUsageWriter;
import io.llmstore.core.usage.MigrationResult;
import io.llmstore.core.usage.UsageQueries;
import io.llmstore.core.usage.UsageSchema;
import io.llmstore.core.usage.UsageWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one entry point: connects every configured backend and hands out the features built on them.
 *
 * <pre>{@code
 * try (StoragePool pool = StoragePool.create(StorageConfig.fromEnv())) {
 *     pool.usage().record(metric);
 *     HealthReport health = pool.healthCheck();
 * }
 * }</pre>
 *
 * <p>The pool wires and delegates; behaviour lives in the backend modules ({@code llmstore-timescale},
 * {@code llmstore-redis}, {@code llmstore-kafka}), found on the classpath with {@link ServiceLoader} or registered on
 * the {@link Builder}. A feature whose backend is not configured throws {@link NotConfiguredException} naming the
 * variable to set.
 *
 * <p>Thread-safe. {@link #close()} flushes every buffered writer, then closes, in reverse order, only what the pool
 * created; it is idempotent and safe from a shutdown hook.
 */
public final class StoragePool implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StoragePool.class);
    private static final String POSTGRES_VARIABLES = "DATABASE_URL (or DB_HOST and DB_PASSWORD)";

    private final StorageConfig config;
    private final Clock clock;
    private final List<Backend> backends;
    private final List<HealthMonitor> monitors = Collections.synchronizedList(new ArrayList<>());
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ConcurrentHealthChecks healthChecks = new ConcurrentHealthChecks();

    private StoragePool(StorageConfig config, Clock clock, List<Backend> backends) {
        this.config = config;
        this.clock = clock;
        this.backends = List.copyOf(backends);
    }

    /** Connects every configured backend found on the classpath; see {@link Builder#build()}. */
    public static StoragePool create(StorageConfig config) {
        return builder(config).build();
    }

    public static Builder builder(StorageConfig config) {
        return new Builder(config);
    }

    /** The configuration this pool was built from. */
    public StorageConfig config() {
        return config;
    }

    /** Records usage rows into PostgreSQL/TimescaleDB. */
    public UsageWriter usage() {
        return require(UsageWriter.class, "usage recording", "PostgreSQL", POSTGRES_VARIABLES);
    }

    /** Records usage rows asynchronously through a bounded buffer (flushed by size, interval, flush() and close()). */
    public BufferedUsageWriter usageBuffer() {
        return require(BufferedUsageWriter.class, "buffered usage recording", "PostgreSQL", POSTGRES_VARIABLES);
    }

    /**
     * A builder of a {@link io.llmstore.core.stream.StreamRecorder} (one usage row per streamed call) writing to
     * {@link #usageBuffer()}, and to {@link #usage()} for streams still open at JVM shutdown; add a price catalog,
     * rate limiter or cache on it. The recorder is the caller's to close, before this pool.
     */
    public io.llmstore.core.stream.StreamRecorder.Builder streamRecorder() {
        return io.llmstore.core.stream.StreamRecorder.builder(usageBuffer()).shutdownWriter(usage());
    }

    /** Usage analytics: summaries, time series, rollups, costs, errors and raw rows. */
    public UsageQueries analytics() {
        return require(UsageQueries.class, "usage analytics", "PostgreSQL", POSTGRES_VARIABLES);
    }

    /** Applies the usage schema's pending migrations (also done at start with {@code DB_MIGRATE_ON_START=true}). */
    public MigrationResult migrate() {
        return require(UsageSchema.class, "schema migration", "PostgreSQL", POSTGRES_VARIABLES).migrate();
    }

    /** The LLM response cache: Redis when {@code REDIS_URL} is set, else an in-process cache local to this JVM. */
    public ResponseCache cache() {
        return require(ResponseCache.class, "the response cache", "Redis", "REDIS_URL");
    }

    /** The session store: Redis when {@code REDIS_URL} is set, else an in-process store local to this JVM. */
    public SessionStore sessions() {
        return require(SessionStore.class, "the session store", "Redis", "REDIS_URL");
    }

    /** Rate limiters: Redis when {@code REDIS_URL} is set (exact across instances), else in-process, local to this JVM. */
    public RateLimiters rateLimiters() {
        return require(RateLimiters.class, "rate limiting", "Redis", "REDIS_URL");
    }

    /** Publishes events to Kafka. */
    public EventPublisher events() {
        return require(EventPublisher.class, "event publishing", "Kafka", "KAFKA_BOOTSTRAP_SERVERS");
    }

    /**
     * A raw client of a configured backend, for what llmstore does not wrap: {@code javax.sql.DataSource},
     * {@code org.jooq.DSLContext}, {@code io.lettuce.core.RedisClient}, Kafka's {@code Producer} or {@code Admin}.
     * Empty when that backend is not configured. The pool owns it: do not close it.
     */
    public <T> Optional<T> client(Class<T> type) {
        Objects.requireNonNull(type, "type");
        for (Backend backend : backends) {
            Optional<T> found = backend.find(type);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    /**
     * Checks every component now, all at once: DOWN if a critical one (PostgreSQL) is down, DEGRADED if an optional
     * one is. Returns within the largest component timeout (PostgreSQL: {@code DB_POOL_CONNECT_TIMEOUT}, Redis:
     * {@code REDIS_COMMAND_TIMEOUT}, Kafka: {@code KAFKA_HEALTH_TIMEOUT}) plus a small slack, however many are down;
     * a component that has not answered by its timeout is reported DOWN.
     */
    public HealthReport healthCheck() {
        List<HealthCheck> checks = new ArrayList<>();
        for (Backend backend : backends) {
            checks.addAll(backend.healthChecks());
        }
        List<ComponentHealth> results = healthChecks.run(checks);
        return HealthReport.of(results, clock.instant());
    }

    /**
     * Starts checking health every {@code interval} in the background, logging each component's transitions.
     * The pool stops it on {@link #close()}; closing the returned monitor stops it sooner.
     *
     * @param listener sees every report on the monitor's thread; use {@code r -> {}} for none
     */
    public HealthMonitor startHealthMonitor(Duration interval, Consumer<HealthReport> listener) {
        HealthMonitor monitor = HealthMonitor.start(this::healthCheck, interval, listener);
        monitors.add(monitor);
        return monitor;
    }

    /** Connection pool, cache and rate limiter counters, now. */
    public PoolStats stats() {
        Optional<ConnectionPoolStats> postgres = Optional.empty();
        Optional<RateLimiterStats> limiters = Optional.empty();
        Map<String, CacheStats> caches = new LinkedHashMap<>();
        for (Backend backend : backends) {
            if (postgres.isEmpty()) {
                postgres = backend.connectionPoolStats();
            }
            if (limiters.isEmpty()) {
                limiters = backend.rateLimiterStats();
            }
            caches.putAll(backend.cacheStats());
        }
        return new PoolStats(postgres, caches, limiters);
    }

    /** Writes out every buffered writer now, in every backend. */
    public void flush() {
        // Reverse order: a later backend (the Kafka sink) may write into an earlier one (the usage writer).
        for (int i = backends.size() - 1; i >= 0; i--) {
            backends.get(i).flush();
        }
    }

    /**
     * Flushes every buffered writer, then closes every backend in reverse order. Idempotent; a failure in one
     * backend does not stop the others from closing (it is rethrown at the end, others suppressed).
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        RuntimeException failure = null;
        synchronized (monitors) {
            monitors.forEach(HealthMonitor::close);
        }
        healthChecks.close();
        for (int i = backends.size() - 1; i >= 0; i--) {
            try {
                backends.get(i).flush();
            } catch (RuntimeException e) {
                failure = addFailure(failure, e);
            }
        }
        for (int i = backends.size() - 1; i >= 0; i--) {
            try {
                backends.get(i).close();
            } catch (RuntimeException e) {
                failure = addFailure(failure, e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** True once {@link #close()} was called. */
    public boolean isClosed() {
        return closed.get();
    }

    @Override
    public String toString() {
        List<String> names = new ArrayList<>();
        backends.forEach(b -> names.add(b.name()));
        return "StoragePool{backends=" + names + ", closed=" + closed.get() + ", config=" + config + "}";
    }

    private <T> T require(Class<T> type, String feature, String backend, String variable) {
        if (closed.get()) {
            throw new IllegalStateException("StoragePool is closed");
        }
        return client(type).orElseThrow(() -> NotConfiguredException.forFeature(feature, backend, variable));
    }

    private static RuntimeException addFailure(RuntimeException first, RuntimeException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }

    /** Builds a {@link StoragePool}: clock and explicit backend registration. Not thread-safe. */
    public static final class Builder {
        private final StorageConfig config;
        private final List<BackendProvider> providers = new ArrayList<>();
        private Clock clock = Clock.systemUTC();
        private boolean serviceLoader = true;

        private Builder(StorageConfig config) {
            this.config = Objects.requireNonNull(config, "config");
        }

        /** The time source for windows, flush timers and health timestamps; default UTC system clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Registers a backend explicitly; it wins over a ServiceLoader one of the same name. */
        public Builder backend(BackendProvider provider) {
            providers.add(Objects.requireNonNull(provider, "provider"));
            return this;
        }

        /** Uses only the backends registered with {@link #backend}, not those on the classpath. */
        public Builder withoutServiceLoader() {
            this.serviceLoader = false;
            return this;
        }

        /**
         * Opens every configured backend in order, each verifying its connection with retry. On failure, closes
         * what was opened and throws ({@link io.llmstore.core.error.ConnectionException} when a server cannot be
         * reached, {@link ConfigException} when a configured backend's module is missing).
         */
        public StoragePool build() {
            Map<String, BackendProvider> byName = new LinkedHashMap<>();
            providers.forEach(p -> byName.putIfAbsent(p.name(), p));
            if (serviceLoader) {
                ServiceLoader.load(BackendProvider.class, StoragePool.class.getClassLoader())
                        .forEach(p -> byName.putIfAbsent(p.name(), p));
            }
            requireModule(byName, "postgres", config.postgres().isPresent(), "DATABASE_URL or DB_HOST", "llmstore-timescale");
            requireModule(byName, "redis", config.redis().isPresent(), "REDIS_URL", "llmstore-redis");
            requireModule(byName, "kafka", config.kafka().isPresent(), "KAFKA_BOOTSTRAP_SERVERS", "llmstore-kafka");
            if (config.redis().isEmpty()) {
                log.info("Redis is not configured (REDIS_URL unset): cache, sessions and rate limits use in-process "
                        + "fallbacks local to this JVM");
            }

            List<BackendProvider> ordered = new ArrayList<>(byName.values());
            ordered.sort(Comparator.comparingInt(BackendProvider::order));
            List<Backend> opened = new ArrayList<>();
            RetryPolicy retry = RetryPolicy.of(config.retry());
            BackendContext.PortLookup lookup = new BackendContext.PortLookup() {
                @Override
                public <T> Optional<T> find(Class<T> type) {
                    for (Backend b : opened) {
                        Optional<T> found = b.find(type);
                        if (found.isPresent()) {
                            return found;
                        }
                    }
                    return Optional.empty();
                }
            };
            try {
                for (BackendProvider provider : ordered) {
                    if (provider.isConfigured(config)) {
                        opened.add(provider.open(new BackendContext(config, retry, clock, lookup)));
                    }
                }
            } catch (RuntimeException e) {
                for (int i = opened.size() - 1; i >= 0; i--) {
                    try {
                        opened.get(i).close();
                    } catch (RuntimeException suppressed) {
                        e.addSuppressed(suppressed);
                    }
                }
                throw e;
            }
            return new StoragePool(config, clock, opened);
        }

        private static void requireModule(Map<String, BackendProvider> byName, String name, boolean configured,
                                          String variable, String artifact) {
            if (configured && !byName.containsKey(name)) {
                throw new ConfigException(variable + " is set but " + artifact
                        + " is not on the classpath: add the io.llmstore:" + artifact + " dependency");
            }
        }
    }
}
