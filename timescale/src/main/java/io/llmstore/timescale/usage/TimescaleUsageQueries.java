package io.llmstore.timescale.usage;

import static org.jooq.impl.DSL.coalesce;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.noCondition;
import static org.jooq.impl.DSL.row;
import static org.jooq.impl.DSL.sum;
import static org.jooq.impl.DSL.table;
import static org.jooq.impl.DSL.val;

import io.llmstore.core.error.QueryException;
import io.llmstore.core.retry.RetryPolicy;
import io.llmstore.core.usage.ErrorSummary;
import io.llmstore.core.usage.ModelUsage;
import io.llmstore.core.usage.PageCursor;
import io.llmstore.core.usage.ProviderCost;
import io.llmstore.core.usage.UsageBucket;
import io.llmstore.core.usage.UsageFilter;
import io.llmstore.core.usage.UsageMetric;
import io.llmstore.core.usage.UsageSource;
import io.llmstore.core.usage.UsagePage;
import io.llmstore.core.usage.UsageQueries;
import io.llmstore.timescale.internal.ServerInfo;
import io.llmstore.timescale.internal.SqlErrors;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.Table;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.SQLDataType;

/**
 * {@link UsageQueries} with jOOQ over {@code llm_usage_metrics} and its rollups, every value bound. On TimescaleDB
 * buckets come from {@code time_bucket}, on PostgreSQL from {@code date_bin} with TimescaleDB's origin
 * (2000-01-03), so both servers return the same buckets. Thread-safe; does not own the {@link DSLContext}.
 */
public final class TimescaleUsageQueries implements UsageQueries {
    /** How long {@code refreshRollups} waits for a concurrent refresh of the same rollup (a policy run) to finish. */
    static final Duration CONCURRENT_REFRESH_WAIT = Duration.ofSeconds(60);
    private static final Instant ORIGIN = Instant.parse("2000-01-03T00:00:00Z");
    private static final Table<?> METRICS = table(name("llm_usage_metrics"));
    private static final Field<OffsetDateTime> TIME = field(name("time"), SQLDataType.TIMESTAMPWITHTIMEZONE);
    private static final Field<UUID> EVENT_ID = field(name("event_id"), SQLDataType.UUID);
    private static final Field<String> MODEL = field(name("model_id"), SQLDataType.VARCHAR);
    private static final Field<String> PROVIDER = field(name("provider"), SQLDataType.VARCHAR);
    private static final Field<Long> REQUESTS = field(name("request_count"), SQLDataType.BIGINT);
    private static final Field<Long> TOKEN_IN = field(name("token_input"), SQLDataType.BIGINT);
    private static final Field<Long> TOKEN_OUT = field(name("token_output"), SQLDataType.BIGINT);
    private static final Field<Long> TOKEN_TOTAL = field(name("token_total"), SQLDataType.BIGINT);
    private static final Field<BigDecimal> COST = field(name("cost_usd"), SQLDataType.NUMERIC(28, 18));
    private static final Field<Long> CACHE_READ = field(name("token_cache_read"), SQLDataType.BIGINT);
    private static final Field<Long> CACHE_WRITE = field(name("token_cache_write"), SQLDataType.BIGINT);
    private static final Field<Long> REASONING = field(name("token_reasoning"), SQLDataType.BIGINT);
    private static final Field<String> PRICE_SOURCE = field(name("price_source"), SQLDataType.VARCHAR);
    /** {@link UsageMetric#priceSource()} of a cost stored before the price-source column existed (schema V4). */
    public static final String PRICE_SOURCE_UNKNOWN = "unknown";
    private static final Field<String> USAGE_SOURCE = field(name("usage_source"), SQLDataType.VARCHAR);
    private static final Field<Double> FIRST_TOKEN = field(name("time_to_first_token_ms"), SQLDataType.DOUBLE);
    private static final Field<String> FINISH = field(name("finish_reason"), SQLDataType.VARCHAR);
    private static final Field<BigDecimal> SAVED = field(name("cost_saved_usd"), SQLDataType.NUMERIC(28, 18));
    private static final Field<Double> LATENCY = field(name("avg_latency_ms"), SQLDataType.DOUBLE);
    private static final Field<Long> ERRORS = field(name("error_count"), SQLDataType.BIGINT);
    private static final Field<Long> SUCCESSES = field(name("success_count"), SQLDataType.BIGINT);
    private static final Field<String> USER = field(name("user_id"), SQLDataType.VARCHAR);
    private static final Field<String> APP = field(name("application_id"), SQLDataType.VARCHAR);
    private static final Field<String> ENV = field(name("environment"), SQLDataType.VARCHAR);
    private static final Field<String> METADATA = field(name("metadata"), SQLDataType.VARCHAR);
    private static final Field<OffsetDateTime> BUCKET = field(name("bucket"), SQLDataType.TIMESTAMPWITHTIMEZONE);
    private static final Field<Double> LATENCY_SUM = field(name("latency_ms_sum"), SQLDataType.DOUBLE);

    private final DSLContext dsl;
    private final RetryPolicy retry;
    private final Supplier<Boolean> timescale;

    /**
     * @param dsl        a jOOQ context (POSTGRES dialect) whose connections have the usage schema on the search_path
     * @param dataSource the same connections, to ask once whether this schema is the TimescaleDB flavor
     */
    public TimescaleUsageQueries(DSLContext dsl, DataSource dataSource) {
        this(dsl, dataSource, RetryPolicy.none());
    }

    /**
     * As {@link #TimescaleUsageQueries(DSLContext, DataSource)}, retrying each query's retryable failures (a lost
     * connection, a serialization failure) with {@code retry} ({@code DB_RETRY_*} in the pool). Queries are reads
     * (and {@link #refreshRollups}, which is idempotent), so a retry is always safe.
     */
    public TimescaleUsageQueries(DSLContext dsl, DataSource dataSource, RetryPolicy retry) {
        this.dsl = Objects.requireNonNull(dsl, "dsl");
        Objects.requireNonNull(dataSource, "dataSource");
        this.retry = Objects.requireNonNull(retry, "retry");
        this.timescale = memoize(() -> isTimescaleSchema(dsl, dataSource));
    }

    @Override
    public List<ModelUsage> usageByModel(UsageFilter filter) {
        Field<BigDecimal> cost = coalesce(sum(COST), BigDecimal.ZERO).as("cost");
        return run("usage by model", () -> dsl
                .select(MODEL, sum(REQUESTS), sum(TOKEN_IN), sum(TOKEN_OUT), sum(TOKEN_TOTAL), cost,
                        sum(CACHE_READ), sum(CACHE_WRITE), sum(REASONING))
                .from(METRICS).where(where(filter))
                .groupBy(MODEL)
                .orderBy(cost.desc(), MODEL.asc())
                .fetch(r -> new ModelUsage(r.value1(), sumOf(r.value2(), "request_count", "usage by model"),
                        sumOf(r.value3(), "token_input", "usage by model"), sumOf(r.value4(), "token_output", "usage by model"),
                        sumOf(r.value5(), "token_total", "usage by model"), r.value6(),
                        sumOf(r.value7(), "token_cache_read", "usage by model"),
                        sumOf(r.value8(), "token_cache_write", "usage by model"),
                        sumOf(r.value9(), "token_reasoning", "usage by model"))));
    }

    @Override
    public List<UsageBucket> timeSeries(UsageFilter filter, Duration bucket) {
        Objects.requireNonNull(bucket, "bucket");
        if (bucket.toSeconds() < 1 || bucket.toNanos() % 1_000_000_000L != 0) {
            throw new IllegalArgumentException("bucket must be a whole number of seconds >= 1, was " + bucket);
        }
        // The width is inlined, not bound: PostgreSQL matches GROUP BY expressions textually, and two separate bind
        // markers ($1 in SELECT, $2 in GROUP BY) would not match. It is a number we format, never user text.
        String width = bucket.toSeconds() + " seconds";
        Field<OffsetDateTime> b = timescale.get()
                ? field("time_bucket({0}::interval, {1})", SQLDataType.TIMESTAMPWITHTIMEZONE, inline(width), TIME)
                : field("date_bin({0}::interval, {1}, {2}::timestamptz)", SQLDataType.TIMESTAMPWITHTIMEZONE,
                        inline(width), TIME, inline("2000-01-03 00:00:00+00"));
        return run("usage time series", () -> dsl
                .select(b, MODEL, sum(REQUESTS), sum(TOKEN_TOTAL), coalesce(sum(COST), BigDecimal.ZERO),
                        sum(LATENCY.times(REQUESTS)), sum(ERRORS))
                .from(METRICS).where(where(filter))
                .groupBy(b, MODEL)
                .orderBy(b.asc(), MODEL.asc())
                .fetch(r -> bucketOf(r.value1(), r.value2(), sumOf(r.value3(), "request_count", "usage time series"),
                        sumOf(r.value4(), "token_total", "usage time series"), r.value5(), doubleOf(r.value6()),
                        sumOf(r.value7(), "error_count", "usage time series"))));
    }

    @Override
    public List<UsageBucket> hourly(UsageFilter filter) {
        return rollup("llm_usage_hourly", filter);
    }

    @Override
    public List<UsageBucket> daily(UsageFilter filter) {
        return rollup("llm_usage_daily", filter);
    }

    private List<UsageBucket> rollup(String view, UsageFilter filter) {
        if (!filter.isRollupCompatible()) {
            throw new IllegalArgumentException("the " + view + " rollup is grouped by model and provider only: "
                    + "filter by user, application, environment or min tokens with timeSeries() instead");
        }
        Condition c = BUCKET.ge(odt(filter.start())).and(BUCKET.lt(odt(filter.end())))
                .and(filter.provider() == null ? noCondition() : PROVIDER.eq(filter.provider()))
                .and(filter.modelId() == null ? noCondition() : MODEL.eq(filter.modelId()));
        return run("usage " + view, () -> dsl
                .select(BUCKET, MODEL, sum(REQUESTS), sum(TOKEN_TOTAL), coalesce(sum(COST), BigDecimal.ZERO),
                        sum(LATENCY_SUM), sum(ERRORS))
                .from(table(name(view))).where(c)
                .groupBy(BUCKET, MODEL)
                .orderBy(BUCKET.asc(), MODEL.asc())
                .fetch(r -> bucketOf(r.value1(), r.value2(), sumOf(r.value3(), "request_count", "usage " + view),
                        sumOf(r.value4(), "token_total", "usage " + view), r.value5(), doubleOf(r.value6()),
                        sumOf(r.value7(), "error_count", "usage " + view))));
    }

    @Override
    public List<ProviderCost> costByProvider(UsageFilter filter) {
        Field<BigDecimal> cost = coalesce(sum(COST), BigDecimal.ZERO).as("cost");
        return run("cost by provider", () -> dsl
                .select(PROVIDER, sum(REQUESTS), sum(TOKEN_TOTAL), cost)
                .from(METRICS).where(where(filter))
                .groupBy(PROVIDER)
                .orderBy(cost.desc(), PROVIDER.asc())
                .fetch(r -> new ProviderCost(r.value1(), sumOf(r.value2(), "request_count", "cost by provider"),
                        sumOf(r.value3(), "token_total", "cost by provider"), r.value4())));
    }

    @Override
    public List<ErrorSummary> errors(UsageFilter filter) {
        Field<BigDecimal> errors = sum(ERRORS).as("errors");
        return run("error analysis", () -> dsl
                .select(PROVIDER, MODEL, sum(REQUESTS), errors, sum(SUCCESSES))
                .from(METRICS).where(where(filter))
                .groupBy(PROVIDER, MODEL)
                .orderBy(errors.desc(), PROVIDER.asc(), MODEL.asc())
                .fetch(r -> {
                    long requests = sumOf(r.value3(), "request_count", "error analysis");
                    long errs = sumOf(r.value4(), "error_count", "error analysis");
                    return new ErrorSummary(r.value1(), r.value2(), requests, errs,
                            sumOf(r.value5(), "success_count", "error analysis"),
                            requests == 0 ? 0.0 : (double) errs / requests);
                }));
    }

    @Override
    public UsagePage rows(UsageFilter filter, Optional<PageCursor> after, int limit) {
        Objects.requireNonNull(after, "after");
        if (limit < 1 || limit > 10_000) {
            throw new IllegalArgumentException("limit must be between 1 and 10000, was " + limit);
        }
        Condition c = where(filter);
        if (after.isPresent()) {
            c = c.and(row(TIME, EVENT_ID).gt(odt(after.get().time()), after.get().eventId()));
        }
        Condition condition = c;
        List<UsageMetric> rows = run("usage rows", () -> dsl
                .select(TIME, MODEL, PROVIDER, REQUESTS, TOKEN_IN, TOKEN_OUT, TOKEN_TOTAL, COST, LATENCY, ERRORS,
                        SUCCESSES, USER, APP, ENV, METADATA, EVENT_ID, CACHE_READ, CACHE_WRITE, REASONING, PRICE_SOURCE,
                        USAGE_SOURCE, FIRST_TOKEN, FINISH, SAVED)
                .from(METRICS).where(condition)
                .orderBy(TIME.asc(), EVENT_ID.asc())
                .limit(limit + 1)
                .fetch(TimescaleUsageQueries::metricOf));
        if (rows.size() <= limit) {
            return new UsagePage(rows, Optional.empty());
        }
        List<UsageMetric> page = rows.subList(0, limit);
        UsageMetric last = page.get(limit - 1);
        return new UsagePage(page, Optional.of(new PageCursor(last.time(), last.eventId())));
    }

    @Override
    public void refreshRollups(Instant from, Instant to) {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        if (!timescale.get()) {
            return; // plain PostgreSQL: the rollups are views, always current
        }
        refresh("llm_usage_hourly", from, to, Duration.ofHours(1));
        refresh("llm_usage_daily", from, to, Duration.ofDays(1));
    }

    private void refresh(String view, Instant from, Instant to, Duration width) {
        // Widen to whole buckets: TimescaleDB refuses a window smaller than one bucket.
        Instant start = floor(from, width);
        Instant end = floor(to, width);
        if (end.isBefore(to)) {
            end = end.plus(width);
        }
        if (!end.isAfter(start)) {
            end = start.plus(width);
        }
        Instant s = start;
        Instant e = end;
        run("refreshing " + view, () -> waitingOutConcurrentRefresh(() -> dsl.execute(
                "CALL refresh_continuous_aggregate({0}::regclass, {1}, {2})", val(view), val(odt(s)), val(odt(e)))));
    }

    /**
     * A refresh policy (or another instance) refreshing an overlapping window makes TimescaleDB refuse ours at once
     * with 55P03 "due to a concurrent refresh". Ours is still wanted (rows may have arrived after theirs began), so
     * wait for theirs to finish and try again, for at most {@link #CONCURRENT_REFRESH_WAIT}.
     */
    private static <T> T waitingOutConcurrentRefresh(Supplier<T> refresh) {
        long deadline = System.nanoTime() + CONCURRENT_REFRESH_WAIT.toNanos();
        for (long pauseMs = 50; ; pauseMs = Math.min(pauseMs * 2, 1_000)) {
            try {
                return refresh.get();
            } catch (DataAccessException e) {
                SQLException sql = e.getCause(SQLException.class);
                if (sql == null || !"55P03".equals(sql.getSQLState()) || System.nanoTime() - deadline > 0) {
                    throw e;
                }
            }
            try {
                Thread.sleep(pauseMs);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw new QueryException("refreshing rollups interrupted while waiting out a concurrent refresh",
                        interrupted, false);
            }
        }
    }

    private static Instant floor(Instant t, Duration width) {
        long w = width.toSeconds();
        long since = t.getEpochSecond() - ORIGIN.getEpochSecond();
        return ORIGIN.plusSeconds(Math.floorDiv(since, w) * w);
    }

    private static Condition where(UsageFilter f) {
        Objects.requireNonNull(f, "filter");
        Condition c = TIME.ge(odt(f.start())).and(TIME.lt(odt(f.end())));
        if (f.provider() != null) {
            c = c.and(PROVIDER.eq(f.provider()));
        }
        if (f.modelId() != null) {
            c = c.and(MODEL.eq(f.modelId()));
        }
        if (f.userId() != null) {
            c = c.and(USER.eq(f.userId()));
        }
        if (f.applicationId() != null) {
            c = c.and(APP.eq(f.applicationId()));
        }
        if (f.environment() != null) {
            c = c.and(ENV.eq(f.environment()));
        }
        if (f.minTokens() != null) {
            c = c.and(TOKEN_TOTAL.ge(f.minTokens()));
        }
        return c;
    }

    private static UsageMetric metricOf(Record r) {
        return UsageMetric.builder()
                .time(r.get(TIME).toInstant())
                .model(r.get(MODEL))
                .provider(r.get(PROVIDER))
                .requests(r.get(REQUESTS))
                .tokens(r.get(TOKEN_IN), r.get(TOKEN_OUT))
                .tokenTotal(r.get(TOKEN_TOTAL))
                .costUsd(r.get(COST))
                .priceSource(r.get(COST) == null ? null : r.get(PRICE_SOURCE) == null ? PRICE_SOURCE_UNKNOWN : r.get(PRICE_SOURCE))
                .cacheTokens(r.get(CACHE_READ), r.get(CACHE_WRITE))
                .reasoningTokens(r.get(REASONING))
                .usageSource(UsageSource.of(r.get(USAGE_SOURCE)))
                .timeToFirstTokenMs(r.get(FIRST_TOKEN))
                .finishReason(r.get(FINISH))
                .costSavedUsd(r.get(SAVED))
                .latencyMs(r.get(LATENCY))
                .errors(r.get(ERRORS))
                .successes(r.get(SUCCESSES))
                .user(r.get(USER))
                .application(r.get(APP))
                .environment(r.get(ENV))
                .metadata(r.get(METADATA))
                .eventId(r.get(EVENT_ID))
                .build();
    }

    private static UsageBucket bucketOf(OffsetDateTime bucket, String model, long requests, long tokens,
                                        BigDecimal cost, double latencySum, long errors) {
        return new UsageBucket(bucket.toInstant(), model, requests, tokens, cost,
                requests == 0 ? 0.0 : latencySum / requests, errors);
    }

    private static OffsetDateTime odt(Instant t) {
        return t.atOffset(ZoneOffset.UTC);
    }

    /**
     * A {@code sum()} of a BIGINT column as the long the result records carry. PostgreSQL sums BIGINT exactly as
     * NUMERIC (no overflow on the server, in the views or the continuous aggregates); {@code longValue()} would wrap a
     * sum past 2^63 - 1 to a negative number, so a sum that does not fit is a clear error instead.
     */
    private static long sumOf(BigDecimal sum, String column, String operation) {
        if (sum == null) {
            return 0L;
        }
        try {
            return sum.longValueExact();
        } catch (ArithmeticException e) {
            throw new QueryException(operation + ": sum(" + column + ") is " + sum.toPlainString()
                    + ", beyond the result's 64-bit range (at most " + Long.MAX_VALUE + "); query a narrower window"
                    + " or fewer models", e, false);
        }
    }

    private static double doubleOf(Number n) {
        return n == null ? 0.0 : n.doubleValue();
    }

    private <T> T run(String operation, Supplier<T> query) {
        return retry.call(operation, () -> {
            try {
                return query.get();
            } catch (DataAccessException e) {
                SQLException sql = e.getCause(SQLException.class);
                if (sql != null) {
                    throw SqlErrors.translate(operation, sql);
                }
                throw new QueryException(operation + " failed: " + e.getMessage(), e, false);
            }
        });
    }

    private static boolean isTimescaleSchema(DSLContext dsl, DataSource dataSource) {
        try {
            Record r = dsl.fetchOptional("SELECT flavor FROM llmstore_schema_history LIMIT 1").orElse(null);
            if (r != null) {
                return "timescaledb".equals(r.get(0, String.class));
            }
        } catch (DataAccessException notMigratedHere) {
            // No history table on the search_path: the schema was created by hand; ask the server instead.
        }
        return ServerInfo.probe(dataSource).timescaleInstalled();
    }

    private static <T> Supplier<T> memoize(Supplier<T> supplier) {
        return new Supplier<>() {
            private volatile T value;

            @Override
            public T get() {
                T v = value;
                if (v == null) {
                    synchronized (this) {
                        v = value;
                        if (v == null) {
                            v = supplier.get();
                            value = v;
                        }
                    }
                }
                return v;
            }
        };
    }

    @Override
    public String toString() {
        return "TimescaleUsageQueries";
    }
}
