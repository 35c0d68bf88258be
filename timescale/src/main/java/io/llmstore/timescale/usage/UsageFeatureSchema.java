package io.llmstore.timescale.usage;

import io.llmstore.timescale.internal.FeatureSchema;
import io.llmstore.timescale.internal.FeatureSchemas;
import io.llmstore.timescale.internal.Migrations;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The usage feature's schema: {@code llm_usage_metrics} (a hypertable on TimescaleDB) and its hourly and daily
 * rollups (continuous aggregates on TimescaleDB, views on PostgreSQL), scripts in
 * {@code io/llmstore/timescale/usage/migrations/}. After every migration of a TimescaleDB schema it (re)applies the
 * policies that follow settings: the rollups' refresh ({@code TIMESCALE_ROLLUP_REFRESH}) and the optional retention
 * and compression ({@code TIMESCALE_RETENTION}, {@code TIMESCALE_COMPRESS_AFTER}).
 *
 * <p>Wiring, not for application code: the adapter registers it in {@code FeatureSchemas}. Immutable, thread-safe.
 */
public final class UsageFeatureSchema implements FeatureSchema {
    /** Every script, in version order. Listed because a jar's folder cannot be listed portably. */
    static final List<String> FILES = List.of(
            "V1__usage_metrics.sql",
            "V2__hypertable.timescaledb.sql",
            "V3__rollups.timescaledb.sql",
            "V3__rollups.postgresql.sql",
            "V4__exact_cost_token_classes.timescaledb.sql",
            "V4__exact_cost_token_classes.postgresql.sql",
            "V5__stream_usage.sql");

    private final Optional<Duration> retention;
    private final Optional<Duration> compressAfter;
    private final Duration rollupRefresh;

    /**
     * @param retention     drop raw chunks older than this (TimescaleDB only); empty = keep
     * @param compressAfter compress raw chunks older than this (TimescaleDB only); empty = never
     * @param rollupRefresh how often the rollups' refresh policies run (TimescaleDB only), positive
     */
    public UsageFeatureSchema(Optional<Duration> retention, Optional<Duration> compressAfter, Duration rollupRefresh) {
        this.retention = Objects.requireNonNull(retention, "retention");
        this.compressAfter = Objects.requireNonNull(compressAfter, "compressAfter");
        this.rollupRefresh = Objects.requireNonNull(rollupRefresh, "rollupRefresh");
        if (rollupRefresh.isZero() || rollupRefresh.isNegative()) {
            throw new IllegalArgumentException("rollupRefresh must be positive, was " + rollupRefresh);
        }
    }

    @Override
    public String name() {
        return "usage";
    }

    @Override
    public int order() {
        return FeatureSchemas.USAGE_ORDER;
    }

    @Override
    public String resourceFolder() {
        return "/io/llmstore/timescale/usage/migrations/";
    }

    @Override
    public List<String> scripts() {
        return FILES;
    }

    @Override
    public void afterMigrate(Connection c, String flavor) throws SQLException {
        if (!Migrations.TIMESCALEDB.equals(flavor)) {
            return;
        }
        // Refresh windows start at the beginning of time (start_offset NULL): a refresh recomputes only buckets with
        // invalidated rows, so late and replayed rows of any age reach the rollups on the next run, at the cost of
        // those buckets alone. (V3's fixed 3- and 35-day windows left older late rows out of the rollups for good.)
        // With retention they start at its horizon instead: a refresh over chunks retention dropped would empty those
        // buckets, and the rollups are meant to outlive the raw rows.
        refreshPolicy(c, "llm_usage_hourly", "1 hour");
        refreshPolicy(c, "llm_usage_daily", "1 day");
        if (retention.isPresent()) {
            exec(c, "SELECT remove_retention_policy('llm_usage_metrics', if_exists => TRUE)", null);
            exec(c, "SELECT add_retention_policy('llm_usage_metrics', drop_after => ?::interval)", retention.get());
        }
        if (compressAfter.isPresent()) {
            exec(c, "ALTER TABLE llm_usage_metrics SET (timescaledb.compress, "
                    + "timescaledb.compress_segmentby = 'model_id, provider', "
                    + "timescaledb.compress_orderby = 'time DESC, event_id')", null);
            exec(c, "SELECT remove_compression_policy('llm_usage_metrics', if_exists => TRUE)", null);
            exec(c, "SELECT add_compression_policy('llm_usage_metrics', compress_after => ?::interval)", compressAfter.get());
        }
    }

    private void refreshPolicy(Connection c, String view, String endOffset) throws SQLException {
        exec(c, "SELECT remove_continuous_aggregate_policy('" + view + "', if_exists => TRUE)", null);
        try (PreparedStatement ps = c.prepareStatement("SELECT add_continuous_aggregate_policy('" + view
                + "', start_offset => ?::interval, end_offset => INTERVAL '" + endOffset
                + "', schedule_interval => ?::interval)")) {
            ps.setString(1, retention.map(r -> r.toSeconds() + " seconds").orElse(null));
            ps.setString(2, rollupRefresh.toSeconds() + " seconds");
            ps.execute();
        }
    }

    private static void exec(Connection c, String sql, Duration interval) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (interval != null) {
                ps.setString(1, interval.toSeconds() + " seconds");
            }
            ps.execute();
        }
    }

    @Override
    public String toString() {
        return "UsageFeatureSchema{retention=" + retention + ", compressAfter=" + compressAfter + ", rollupRefresh="
                + rollupRefresh + "}";
    }
}
