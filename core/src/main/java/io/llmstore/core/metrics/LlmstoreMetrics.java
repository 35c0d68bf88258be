package io.llmstore.core.metrics;

import io.llmstore.core.StoragePool;
import io.llmstore.core.buffer.BufferedWriter;
import io.llmstore.core.stats.CacheStats;
import io.llmstore.core.stats.ConnectionPoolStats;
import io.llmstore.core.stats.PoolStats;
import io.llmstore.core.stats.RateLimiterStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * Publishes {@link StoragePool#stats()} to a Micrometer registry: {@code llmstore.db.connections} (tagged
 * {@code state=active|idle|total|max|waiting}), {@code llmstore.cache.requests} (tagged {@code cache},
 * {@code result=hit|miss|error}) and, with Redis, {@code llmstore.ratelimit.errors} (tagged
 * {@code kind=decision|settlement}: decisions the failure policy made, settlements and releases dropped). For each
 * buffered writer (tagged {@code writer=usage|operation|span|gateway-usage}): {@code llmstore.buffer.held} (rows
 * waiting in memory), {@code llmstore.buffer.rows} ({@code outcome=written|poison|dropped}) and
 * {@code llmstore.buffer.failures} (failed writes); for each spool ({@code writer} also {@code events}):
 * {@code llmstore.spool.pending} (rows accepted and not stored yet) and {@code llmstore.spool.bytes}. Micrometer is
 * an optional dependency of llmstore-core: add it yourself to use this.
 *
 * <pre>{@code new LlmstoreMetrics(pool).bindTo(registry);}</pre>
 *
 * <p>Values are read when the registry samples them; the binder holds the pool but not its lifecycle. Cache meters
 * and writer meters are registered for the caches and writers that exist at bind time.
 */
public final class LlmstoreMetrics implements MeterBinder {
    // The meters' state object is the pool itself: Micrometer holds state weakly, and the application holds its pool.
    private final StoragePool pool;

    public LlmstoreMetrics(StoragePool pool) {
        this.pool = Objects.requireNonNull(pool, "pool");
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        PoolStats now = pool.stats();
        if (now.postgres().isPresent()) {
            connections(registry, "active", ConnectionPoolStats::active);
            connections(registry, "idle", ConnectionPoolStats::idle);
            connections(registry, "total", ConnectionPoolStats::total);
            connections(registry, "max", ConnectionPoolStats::max);
            connections(registry, "waiting", ConnectionPoolStats::threadsWaiting);
        }
        for (String cache : now.caches().keySet()) {
            cacheCounter(registry, cache, "hit", CacheStats::hits);
            cacheCounter(registry, cache, "miss", CacheStats::misses);
            cacheCounter(registry, cache, "error", CacheStats::errors);
        }
        if (now.rateLimiters().isPresent()) {
            limiterCounter(registry, "decision", RateLimiterStats::decisionErrors);
            limiterCounter(registry, "settlement", RateLimiterStats::settlementErrors);
        }
        for (String writer : now.buffers().keySet()) {
            Gauge.builder("llmstore.buffer.held", pool, p -> buffer(p, writer, BufferedWriter.Stats::buffered))
                    .tag("writer", writer).description("rows a buffered writer holds in memory, not stored yet")
                    .register(registry);
            bufferCounter(registry, writer, "written", BufferedWriter.Stats::written);
            bufferCounter(registry, writer, "poison", BufferedWriter.Stats::poison);
            bufferCounter(registry, writer, "dropped", BufferedWriter.Stats::dropped);
            FunctionCounter.builder("llmstore.buffer.failures", pool, p -> buffer(p, writer, BufferedWriter.Stats::failures))
                    .tag("writer", writer).description("failed writes of a buffered writer (its rows were kept)")
                    .register(registry);
        }
        for (String writer : now.spools().keySet()) {
            Gauge.builder("llmstore.spool.pending", pool, p -> spool(p, writer, BufferedWriter.SpoolStats::pending))
                    .tag("writer", writer).description("rows in a spool, accepted and not stored yet").register(registry);
            Gauge.builder("llmstore.spool.bytes", pool, p -> spool(p, writer, BufferedWriter.SpoolStats::bytes))
                    .tag("writer", writer).baseUnit("bytes").description("size of a spool's files").register(registry);
        }
    }

    private static double buffer(StoragePool pool, String writer, ToDoubleFunction<BufferedWriter.Stats> value) {
        BufferedWriter.Stats s = pool.stats().buffers().get(writer);
        return s == null ? Double.NaN : value.applyAsDouble(s);
    }

    private static double spool(StoragePool pool, String writer, ToDoubleFunction<BufferedWriter.SpoolStats> value) {
        BufferedWriter.SpoolStats s = pool.stats().spools().get(writer);
        return s == null ? Double.NaN : value.applyAsDouble(s);
    }

    private void bufferCounter(MeterRegistry registry, String writer, String outcome,
                               ToDoubleFunction<BufferedWriter.Stats> value) {
        FunctionCounter.builder("llmstore.buffer.rows", pool, p -> buffer(p, writer, value))
                .tag("writer", writer).tag("outcome", outcome)
                .description("rows that left a buffered writer, by outcome")
                .register(registry);
    }

    private void limiterCounter(MeterRegistry registry, String kind, ToDoubleFunction<RateLimiterStats> value) {
        FunctionCounter.builder("llmstore.ratelimit.errors", pool,
                        p -> p.stats().rateLimiters().map(value::applyAsDouble).orElse(0.0))
                .tag("kind", kind)
                .description("rate limiter calls Redis could not answer (decided by the failure policy, or dropped)")
                .register(registry);
    }

    private void connections(MeterRegistry registry, String state, Function<ConnectionPoolStats, Integer> value) {
        Gauge.builder("llmstore.db.connections", pool,
                        p -> p.stats().postgres().map(c -> (double) value.apply(c)).orElse(Double.NaN))
                .tag("state", state)
                .description("PostgreSQL pool connections")
                .register(registry);
    }

    private void cacheCounter(MeterRegistry registry, String cache, String result, ToDoubleFunction<CacheStats> value) {
        FunctionCounter.builder("llmstore.cache.requests", pool, p -> {
                    CacheStats c = p.stats().caches().get(cache);
                    return c == null ? 0 : value.applyAsDouble(c);
                })
                .tag("cache", cache)
                .tag("result", result)
                .description("cache lookups by result")
                .register(registry);
    }
}
