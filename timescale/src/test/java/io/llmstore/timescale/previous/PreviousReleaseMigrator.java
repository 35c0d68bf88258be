package io.llmstore.timescale.previous;

import io.llmstore.core.error.ConfigException;
import io.llmstore.timescale.previous.PreviousReleaseMigrations.Migration;
import io.llmstore.timescale.internal.ServerInfo;
import io.llmstore.timescale.internal.SqlErrors;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * FROZEN TEST FIXTURE: the schema migrator of the release before feature schemas (commit 1b4e378), verbatim but for
 * its package, class names, return type and resource folder. Tests create a database exactly as that release did
 * and upgrade it with today's migrator. Never edit it to follow main code.
 *
 * Original Javadoc: applies the usage schema's versioned migrations (the SQL files in
 * {@code io/llmstore/timescale/migrations/}) to one schema, recording each in {@code llmstore_schema_history}.
 *
 * <p>Why not Flyway: the schema comes in two flavors (TimescaleDB: hypertable and continuous aggregates;
 * PostgreSQL: plain views of the same names) chosen by probing the server, and continuous aggregates must be
 * created outside a transaction, one statement per execute. Flyway needs a per-script {@code .conf} for the latter
 * and has no notion of the former; this runner is ~150 lines, the scripts stay plain SQL a DBA can run with psql.
 *
 * <p>Concurrency: the whole run holds a session advisory lock keyed by the schema name, so application instances
 * starting together migrate one after the other; the later ones find every version recorded and apply nothing.
 * A transactional script is recorded in the same transaction; a no-transaction script is recorded after its last
 * statement (its statements use IF NOT EXISTS, so a run interrupted half-way is safely re-run).
 *
 * <p>Flavor: TimescaleDB when {@code DB_TIMESCALEDB=on}, or {@code auto} and the extension can be used here (created
 * in the database, or preloaded); a server that lists the extension without preloading it gets PostgreSQL and a
 * WARN. Once a flavor-specific script is recorded in the history, a schema keeps its flavor. After migrating a
 * TimescaleDB schema its policies are (re)applied: the rollups' refresh ({@code TIMESCALE_ROLLUP_REFRESH}) and the
 * optional retention and compression ({@code TIMESCALE_RETENTION}, {@code TIMESCALE_COMPRESS_AFTER}).
 *
 * <p>Thread-safe; uses one connection of the given {@link DataSource} per call and does not own it.
 */
public final class PreviousReleaseMigrator {
    private static final Logger log = LoggerFactory.getLogger(PreviousReleaseMigrator.class);
    private static final Pattern SCHEMA_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final String HISTORY = "llmstore_schema_history";

    /** Whether to install the TimescaleDB flavor ({@code DB_TIMESCALEDB}). */
    public enum Timescale { AUTO, ON, OFF }

    private final DataSource dataSource;
    private final String schema;
    private final Timescale timescale;
    private final Optional<Duration> retention;
    private final Optional<Duration> compressAfter;
    private final Duration rollupRefresh;

    /**
     * @param schema        lower-case identifier ({@code [a-z_][a-z0-9_]*}); created if missing
     * @param retention     drop raw chunks older than this (TimescaleDB only); empty = keep
     * @param compressAfter compress raw chunks older than this (TimescaleDB only); empty = never
     * @param rollupRefresh how often the rollups' refresh policies run (TimescaleDB only), positive
     */
    public PreviousReleaseMigrator(DataSource dataSource, String schema, Timescale timescale, Optional<Duration> retention,
                          Optional<Duration> compressAfter, Duration rollupRefresh) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.schema = requireSchemaName(schema);
        this.timescale = Objects.requireNonNull(timescale, "timescale");
        this.retention = Objects.requireNonNull(retention, "retention");
        this.compressAfter = Objects.requireNonNull(compressAfter, "compressAfter");
        this.rollupRefresh = Objects.requireNonNull(rollupRefresh, "rollupRefresh");
        if (rollupRefresh.isZero() || rollupRefresh.isNegative()) {
            throw new IllegalArgumentException("rollupRefresh must be positive, was " + rollupRefresh);
        }
    }

    /** Checks a {@code DB_SCHEMA} value: a lower-case SQL identifier. */
    public static String requireSchemaName(String schema) {
        if (schema == null || !SCHEMA_NAME.matcher(schema).matches()) {
            throw new IllegalArgumentException("schema must be a lower-case identifier matching [a-z_][a-z0-9_]{0,62}, was "
                    + (schema == null ? "null" : "'" + schema + "'"));
        }
        return schema;
    }

    /** {@code "schema", public}: the search_path the pool and the migrations use. */
    public static String searchPath(String schema) {
        return "public".equals(schema) ? "public" : "\"" + schema + "\", public";
    }

    public List<Integer> migrate() {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_lock(hashtext(?))")) {
                lock.setString(1, "llmstore.migrate." + schema);
                lock.execute();
            }
            List<Integer> result;
            try {
                result = migrateLocked(c);
            } catch (SQLException | RuntimeException e) {
                // A migration that ended the session (or broke the connection) makes the unlock fail too; that
                // failure is attached, never thrown instead of the cause. The lock dies with the session anyway.
                try {
                    unlock(c);
                } catch (SQLException unlockFailure) {
                    e.addSuppressed(unlockFailure);
                }
                throw e;
            }
            unlock(c);
            return result;
        } catch (SQLException e) {
            throw SqlErrors.translate("migrating schema " + schema, e);
        }
    }

    private void unlock(Connection c) throws SQLException {
        try (PreparedStatement unlock = c.prepareStatement("SELECT pg_advisory_unlock(hashtext(?))")) {
            unlock.setString(1, "llmstore.migrate." + schema);
            unlock.execute();
        }
    }

    private List<Integer> migrateLocked(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA IF NOT EXISTS \"" + schema + "\"");
            st.execute("SET search_path TO " + searchPath(schema));
            st.execute("CREATE TABLE IF NOT EXISTS " + HISTORY + " (version INT PRIMARY KEY, description TEXT NOT NULL,"
                    + " flavor TEXT NOT NULL, script TEXT NOT NULL, checksum TEXT NOT NULL,"
                    + " installed_at TIMESTAMPTZ NOT NULL DEFAULT now(), execution_ms BIGINT NOT NULL)");
        }
        Map<Integer, String[]> applied = new HashMap<>();
        String recordedFlavor = null;
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT version, flavor, checksum, script FROM " + HISTORY)) {
            while (rs.next()) {
                applied.put(rs.getInt(1), new String[] {rs.getString(2), rs.getString(3)});
                // Only a flavor-specific script commits the schema to its flavor; a schema holding just the common
                // scripts (a first run that failed at the hypertable step, say) is detected again.
                if (PreviousReleaseMigrations.flavorOf(rs.getString(4)) != null) {
                    recordedFlavor = rs.getString(2);
                }
            }
        }
        String flavor = recordedFlavor != null ? keepRecorded(recordedFlavor) : detectFlavor(c);
        List<Integer> done = new ArrayList<>();
        int current = applied.keySet().stream().mapToInt(Integer::intValue).max().orElse(0);
        for (Migration m : PreviousReleaseMigrations.forFlavor(flavor)) {
            String[] recorded = applied.get(m.version());
            if (recorded != null) {
                if (!recorded[1].equals(m.checksum())) {
                    log.warn("migration {} of schema {} changed after it was applied (checksum differs); not re-applied",
                            m.file(), schema);
                }
                continue;
            }
            long start = System.nanoTime();
            apply(c, m, flavor, start);
            done.add(m.version());
            current = Math.max(current, m.version());
            log.info("schema {}: applied {} ({} flavor) in {} ms", schema, m.file(), flavor,
                    (System.nanoTime() - start) / 1_000_000);
        }
        if (PreviousReleaseMigrations.TIMESCALEDB.equals(flavor)) {
            applyPolicies(c);
        }
        return done;
    }

    private String keepRecorded(String recorded) {
        boolean contradicts = (timescale == Timescale.OFF && PreviousReleaseMigrations.TIMESCALEDB.equals(recorded))
                || (timescale == Timescale.ON && PreviousReleaseMigrations.POSTGRESQL.equals(recorded));
        if (contradicts) {
            log.warn("schema {} was created with the {} flavor; DB_TIMESCALEDB={} applies only to a new schema"
                    + " (choose another DB_SCHEMA, or drop this one, to change it)", schema, recorded,
                    timescale.name().toLowerCase(java.util.Locale.ROOT));
        }
        return recorded;
    }

    /**
     * {@code on}: TimescaleDB or a clear failure; {@code auto}: TimescaleDB only where it can be used (created in this
     * database, or preloaded so that creating it works), else PostgreSQL with one WARN; {@code off}: PostgreSQL.
     * Decided from one SELECT, so no probe can end the session.
     */
    private String detectFlavor(Connection c) {
        if (timescale == Timescale.OFF) {
            return PreviousReleaseMigrations.POSTGRESQL;
        }
        ServerInfo info;
        try {
            info = ServerInfo.probe(c);
        } catch (SQLException e) {
            throw SqlErrors.translate("probing for TimescaleDB", e);
        }
        if (info.timescaleUsable()) {
            return PreviousReleaseMigrations.TIMESCALEDB;
        }
        String why = info.timescaleAvailable()
                ? "the timescaledb extension is installed on this server but not loaded: add timescaledb to"
                        + " shared_preload_libraries in postgresql.conf and restart the server"
                : "the timescaledb extension is not installed on this server (pg_available_extensions)";
        if (timescale == Timescale.ON) {
            throw new ConfigException("DB_TIMESCALEDB=on but " + why + "; or set DB_TIMESCALEDB=auto to use plain"
                    + " PostgreSQL");
        }
        if (info.timescaleAvailable()) {
            log.warn("schema {}: using plain PostgreSQL because {} (DB_TIMESCALEDB=off silences this)", schema, why);
        }
        return PreviousReleaseMigrations.POSTGRESQL;
    }

    private void apply(Connection c, Migration m, String flavor, long start) throws SQLException {
        if (m.transactional()) {
            c.setAutoCommit(false);
            try {
                executeAll(c, m);
                record(c, m, flavor, start);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException rollbackFailure) {
                    e.addSuppressed(rollbackFailure); // the cause stays the migration's own failure
                }
                throw e;
            } finally {
                try {
                    c.setAutoCommit(true);
                } catch (SQLException ignored) {
                    // Broken connection: the failure being thrown says why; the pool discards the connection.
                }
            }
        } else {
            // One statement per execute in autocommit: TimescaleDB refuses continuous aggregates in a transaction.
            executeAll(c, m);
            record(c, m, flavor, start);
        }
    }

    private static void executeAll(Connection c, Migration m) throws SQLException {
        for (String sql : m.statements()) {
            try (Statement st = c.createStatement()) {
                st.execute(sql);
            } catch (SQLException e) {
                SQLException wrapped = new SQLException("migration " + m.file() + " failed at: "
                        + sql.lines().findFirst().orElse(sql) + " -- " + e.getMessage(), e.getSQLState(), e);
                throw wrapped;
            }
        }
    }

    private static void record(Connection c, Migration m, String flavor, long start) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + HISTORY
                + " (version, description, flavor, script, checksum, execution_ms) VALUES (?, ?, ?, ?, ?, ?)")) {
            ps.setInt(1, m.version());
            ps.setString(2, m.description());
            ps.setString(3, flavor);
            ps.setString(4, m.file());
            ps.setString(5, m.checksum());
            ps.setLong(6, (System.nanoTime() - start) / 1_000_000);
            ps.executeUpdate();
        }
    }

    private void applyPolicies(Connection c) throws SQLException {
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
        return "PreviousReleaseMigrator{schema=" + schema + ", timescale=" + timescale + ", retention=" + retention
                + ", compressAfter=" + compressAfter + ", rollupRefresh=" + rollupRefresh + "}";
    }
}
