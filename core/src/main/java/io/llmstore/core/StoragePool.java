package io.llmstore.core;

import io.llmstore.core.buffer.BufferedWriter;
import io.llmstore.core.cache.ResponseCache;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.conversation.Conversations;
import io.llmstore.core.embedding.Embeddings;
import io.llmstore.core.error.ConfigException;
import io.llmstore.core.error.NotConfiguredException;
import io.llmstore.core.event.Events;
import io.llmstore.core.gateway.Gateway;
import io.llmstore.core.health.ComponentHealth;
import io.llmstore.core.health.HealthCheck;
import io.llmstore.core.health.HealthMonitor;
import io.llmstore.core.health.HealthReport;
import io.llmstore.core.internal.ConcurrentHealthChecks;
import io.llmstore.core.operation.Operations;
import io.llmstore.core.ratelimit.RateLimiters;
import io.llmstore.core.retry.RetryPolicy;
import io.llmstore.core.session.SessionStore;
import io.llmstore.core.spi.Backend;
import io.llmstore.core.spi.BackendContext;
import io.llmstore.core.spi.BackendDescriptor;
import io.llmstore.core.spi.BackendProvider;
import io.llmstore.core.spi.Feature;
import io.llmstore.core.stats.CacheStats;
import io.llmstore.core.stats.ConnectionPoolStats;
import io.llmstore.core.stats.PoolStats;
import io.llmstore.core.stats.RateLimiterStats;
import io.llmstore.core.trace.Traces;
import io.llmstore.core.usage.Usage;
import io.llmstore.core.usage.UsageQueries;
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
 * <p>One entry point per feature: {@link #usage()} (with {@code usage().buffered()}), {@link #analytics()},
 * {@link #cache()}, {@link #limits()}, {@link #sessions()}, {@link #events()} (with {@code events().sink()}); raw
 * driver clients through {@link #client(Class)}. Each accessor looks its feature's entry point up among the open
 * backends by the feature's {@link Feature descriptor}; when no backend serves it, it throws the descriptor's
 * {@link NotConfiguredException}, naming the variable to set. How further features attach: {@code docs/architecture.md}.
 *
 * <p>The pool wires and delegates; behaviour lives in the backend modules ({@code llmstore-timescale},
 * {@code llmstore-redis}, {@code llmstore-kafka}), found on the classpath with {@link ServiceLoader} or registered on
 * the {@link Builder}. A backend may run over a resource the application already holds (its {@code DataSource},
 * Lettuce client or Kafka producer, passed with {@link Builder#backend}); the pool uses it and never closes it.
 *
 * <p>Thread-safe. {@link #close()} flushes every buffered writer, then closes, in reverse order, only what the pool
 * created; it is idempotent and safe from a shutdown hook.
 */
public final class StoragePool implements AutoCloseable {
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

    /**
     * Usage recording: {@code usage().record(m)} (synchronous, with {@code DB_RETRY_*}), {@code usage().buffered()}
     * (asynchronous, bounded) and {@code usage().migrate()}. Needs PostgreSQL ({@link Usage#FEATURE}).
     */
    public Usage usage() {
        return feature(Usage.FEATURE);
    }

    /** Trace recording: spans of LLM call chains, their trees and totals ({@link Traces#FEATURE}). */
    public Traces traces() {
        return feature(Traces.FEATURE);
    }

    /** Usage analytics: summaries, time series, rollups, costs, errors and raw rows ({@link UsageQueries#FEATURE}). */
    public UsageQueries analytics() {
        return feature(UsageQueries.FEATURE);
    }

    /** The operation store: sessions, operations and messages, the guide's queries ({@link Operations#FEATURE}). */
    public Operations operations() {
        return feature(Operations.FEATURE);
    }

    /** The LLM response cache: Redis when {@code REDIS_URL} is set, else an in-process cache local to this JVM. */
    public ResponseCache cache() {
        return feature(ResponseCache.FEATURE);
    }

    /** The session store: Redis when {@code REDIS_URL} is set, else an in-process store local to this JVM. */
    public SessionStore sessions() {
        return feature(SessionStore.FEATURE);
    }

    /** Rate limiters: Redis when {@code REDIS_URL} is set (exact across instances), else in-process, local to this JVM. */
    public RateLimiters limits() {
        return feature(RateLimiters.FEATURE);
    }

    /**
     * Event streaming: {@code events().publish(e)} to Kafka and {@code events().sink()}, the consumer that turns
     * events into usage rows. Needs Kafka ({@link Events#FEATURE}); the sink needs PostgreSQL too.
     */
    public Events events() {
        return feature(Events.FEATURE);
    }

    /** Conversation history and user profiles with token quota. Needs PostgreSQL ({@link Conversations#FEATURE}). */
    public Conversations conversations() {
        return feature(Conversations.FEATURE);
    }

    /** Document embeddings on pgvector. Needs PostgreSQL with pgvector ({@link Embeddings#FEATURE}). */
    public Embeddings embeddings() {
        return feature(Embeddings.FEATURE);
    }

    /** The LLM gateway's repositories: API keys, models, usage records, monthly summaries ({@link Gateway#FEATURE}). */
    public Gateway gateway() {
        return feature(Gateway.FEATURE);
    }

    /**
     * The entry point of {@code feature}, from the first open backend serving it; the one lookup every accessor
     * above uses. A future feature adds a descriptor next to its type and a one-line accessor calling this.
     *
     * @throws NotConfiguredException from {@link Feature#notConfigured}, naming what to set
     * @throws IllegalStateException  when the pool is closed
     */
    private <T> T feature(Feature<T> feature) {
        if (closed.get()) {
            throw new IllegalStateException("StoragePool is closed");
        }
        return find(feature.type()).orElseThrow(() -> feature.notConfigured(backendNames()));
    }

    /**
     * A raw driver client of an open backend, for what llmstore does not wrap: {@code javax.sql.DataSource},
     * {@code org.jooq.DSLContext}, {@code io.lettuce.core.RedisClient}, Kafka's {@code Producer} or {@code Admin}.
     * Empty when that backend is not open. Features are reached through their own accessors ({@link #usage()},
     * {@link #events()}, ...), not here. Do not close what you get: the pool closes what it created, and a resource
     * you injected (e.g. {@code PostgresBackendProvider.using(dataSource)}) is yours, returned as given.
     */
    public <T> Optional<T> client(Class<T> type) {
        return find(Objects.requireNonNull(type, "type"));
    }

    private <T> Optional<T> find(Class<T> type) {
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

    /** Connection pool, cache, rate limiter, buffered writer and spool counters, now. */
    public PoolStats stats() {
        Optional<ConnectionPoolStats> postgres = Optional.empty();
        Optional<RateLimiterStats> limiters = Optional.empty();
        Map<String, CacheStats> caches = new LinkedHashMap<>();
        Map<String, BufferedWriter.Stats> buffers = new LinkedHashMap<>();
        Map<String, BufferedWriter.SpoolStats> spools = new LinkedHashMap<>();
        for (Backend backend : backends) {
            if (postgres.isEmpty()) {
                postgres = backend.connectionPoolStats();
            }
            if (limiters.isEmpty()) {
                limiters = backend.rateLimiterStats();
            }
            caches.putAll(backend.cacheStats());
            buffers.putAll(backend.bufferStats());
            spools.putAll(backend.spoolStats());
        }
        return new PoolStats(postgres, caches, limiters, buffers, spools);
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
        return "StoragePool{backends=" + backendNames() + ", closed=" + closed.get() + ", config=" + config + "}";
    }

    private List<String> backendNames() {
        List<String> names = new ArrayList<>();
        backends.forEach(b -> names.add(b.name()));
        return names;
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

        /**
         * Registers a backend explicitly; it replaces a ServiceLoader-found provider of the same
         * {@link BackendProvider#name()}. This is how an application hands the pool a resource it already holds:
         * {@code .backend(PostgresBackendProvider.using(dataSource))},
         * {@code .backend(RedisBackendProvider.using(redisClient))},
         * {@code .backend(KafkaBackendProvider.using(producer))}; such a resource is used as given and never closed
         * by the pool.
         */
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
            for (BackendDescriptor b : BackendDescriptor.ALL) {
                if (b.isConfiguredIn(config) && !byName.containsKey(b.name())) {
                    throw new ConfigException(b.variables() + " is set but " + b.artifact()
                            + " is not on the classpath: add the io.llmstore:" + b.artifact() + " dependency");
                }
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
    }
}
