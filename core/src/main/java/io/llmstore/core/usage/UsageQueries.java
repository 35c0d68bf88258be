package io.llmstore.core.usage;

import io.llmstore.core.spi.BackendDescriptor;
import io.llmstore.core.spi.Feature;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Read-only analytics over recorded usage. Every method answers the same on TimescaleDB and on plain PostgreSQL.
 * Costs are exact sums ({@link java.math.BigDecimal}); rows without a cost count as zero. Thread-safe. Failures
 * are {@link io.llmstore.core.error.StorageException}s.
 */
public interface UsageQueries {
    /** The feature's descriptor: needs PostgreSQL. */
    Feature<UsageQueries> FEATURE = Feature.of("usage analytics", UsageQueries.class,
            BackendDescriptor.POSTGRES);

    /** Requests, tokens and cost per model in the filter's window, most expensive first (then by model id). */
    List<ModelUsage> usageByModel(UsageFilter filter);

    /**
     * Usage per model in buckets of {@code bucket} width (at least one second, whole seconds), ordered by bucket
     * then model. Buckets are aligned like TimescaleDB's {@code time_bucket} (origin 2000-01-03T00:00Z).
     */
    List<UsageBucket> timeSeries(UsageFilter filter, Duration bucket);

    /**
     * Hourly usage per model, read from the {@code llm_usage_hourly} rollup. Only the window, provider and model
     * of the filter apply; a filter with user, application, environment or min tokens throws
     * {@link IllegalArgumentException}. The window should be hour-aligned: a bucket is included when it starts in
     * the window.
     */
    List<UsageBucket> hourly(UsageFilter filter);

    /** Daily usage per model from {@code llm_usage_daily}; same rules as {@link #hourly}. */
    List<UsageBucket> daily(UsageFilter filter);

    /** Spend per provider, most expensive first (then by provider). */
    List<ProviderCost> costByProvider(UsageFilter filter);

    /** Errors per provider and model, most errors first (then by provider, model). */
    List<ErrorSummary> errors(UsageFilter filter);

    /**
     * Raw rows in {@code (time, event_id)} order, {@code limit} at a time (keyset pagination: pass the previous
     * page's {@link UsagePage#next()} to continue).
     *
     * @param after empty for the first page
     * @param limit 1..10000
     */
    UsagePage rows(UsageFilter filter, Optional<PageCursor> after, int limit);

    /**
     * Brings the hourly and daily rollups up to date for {@code [from, to)}. TimescaleDB refreshes its continuous
     * aggregates (also done by their refresh policies); on plain PostgreSQL the rollups are views and this does
     * nothing. Queries return current answers either way (TimescaleDB aggregates are real-time).
     */
    void refreshRollups(Instant from, Instant to);
}
