package io.llmstore.timescale.internal;

import io.llmstore.core.error.ConfigException;
import io.llmstore.core.error.NotConfiguredException;
import io.llmstore.core.usage.MigrationResult;
import io.llmstore.core.usage.UsageSchema;
import io.llmstore.timescale.internal.Migrations.Migration;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Migrates every {@link FeatureSchema} of the adapter (usage first, see {@link FeatureSchemas}) into one schema,
 * recording each applied script in {@code llmstore_schema_history} under its feature's name.
 *
 * <p>Why not Flyway: the schema comes in two flavors (TimescaleDB: hypertable and continuous aggregates;
 * PostgreSQL: plain views of the same names) chosen by probing the server, features may use pgvector where it is
 * present, and continuous aggregates must be created outside a transaction, one statement per execute. Flyway needs a
 * per-script {@code .conf} for the latter and has no notion of the former; the scripts stay plain SQL a DBA can run
 * with psql.
 *
 * <p>One run: take the session advisory lock keyed by the schema name (the key every release has used, so
 * application instances starting together, of this release or the one before, migrate one after the other and the
 * later ones find everything recorded); create or upgrade the history table; choose the flavor; check every
 * feature's history before applying anything (a recorded version this release does not ship, i.e. a database
 * migrated by a newer release, or a recorded checksum that differs from the shipped script, stops the run with a
 * {@link ConfigException} naming feature and version); then, feature by feature in order, apply the missing scripts
 * and run the feature's {@link FeatureSchema#afterMigrate} hook. A transactional script is recorded in the same
 * transaction; a no-transaction script is recorded after its last statement (its statements use IF NOT EXISTS, so a
 * run interrupted half-way is safely re-run).
 *
 * <p>Flavor: TimescaleDB when {@code DB_TIMESCALEDB=on}, or {@code auto} and the extension can be used here (created
 * in the database, or preloaded); a server that lists the extension without preloading it gets PostgreSQL and a
 * WARN. Once a flavor-specific script of any feature is recorded, the schema keeps its flavor. A feature that uses
 * pgvector is migrated with its {@code .vector} scripts when the extension is created in the database or can be,
 * and keeps that choice once recorded ({@code postgresql+vector} in the history's flavor column).
 *
 * <p>Thread-safe; uses one connection of the given {@link DataSource} per call and does not own it.
 */
public final class SchemaMigrator implements UsageSchema {
    private static final Logger log = LoggerFactory.getLogger(SchemaMigrator.class);
    private static final Pattern SCHEMA_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final Pattern FEATURE_NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");
    static final String HISTORY = "llmstore_schema_history";

    /** Whether to install the TimescaleDB flavor ({@code DB_TIMESCALEDB}). */
    public enum Timescale { AUTO, ON, OFF }

    private final DataSource dataSource;
    private final String schema;
    private final Timescale timescale;
    private final List<FeatureSchema> features;

    /**
     * A migrator of the adapter's features ({@link FeatureSchemas#standard}).
     *
     * @param schema        lower-case identifier ({@code [a-z_][a-z0-9_]*}); created if missing
     * @param retention     drop raw usage chunks older than this (TimescaleDB only); empty = keep
     * @param compressAfter compress raw usage chunks older than this (TimescaleDB only); empty = never
     * @param rollupRefresh how often the usage rollups' refresh policies run (TimescaleDB only), positive
     */
    public SchemaMigrator(DataSource dataSource, String schema, Timescale timescale, Optional<Duration> retention,
                          Optional<Duration> compressAfter, Duration rollupRefresh) {
        this(dataSource, schema, timescale, FeatureSchemas.standard(retention, compressAfter, rollupRefresh));
    }

    /**
     * A migrator of the given features, migrated in their {@link FeatureSchema#order()}.
     *
     * @throws IllegalArgumentException on a bad schema or feature name, or two features sharing a name or an order
     */
    public SchemaMigrator(DataSource dataSource, String schema, Timescale timescale, List<FeatureSchema> features) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.schema = requireSchemaName(schema);
        this.timescale = Objects.requireNonNull(timescale, "timescale");
        List<FeatureSchema> sorted = new ArrayList<>(Objects.requireNonNull(features, "features"));
        sorted.sort(Comparator.comparingInt(FeatureSchema::order));
        Map<String, FeatureSchema> byName = new HashMap<>();
        Map<Integer, FeatureSchema> byOrder = new HashMap<>();
        for (FeatureSchema f : sorted) {
            if (f.name() == null || !FEATURE_NAME.matcher(f.name()).matches()) {
                throw new IllegalArgumentException("feature schema name must match [a-z][a-z0-9_]{0,62}, was '"
                        + f.name() + "' (" + f + ")");
            }
            FeatureSchema sameName = byName.put(f.name(), f);
            if (sameName != null) {
                throw new IllegalArgumentException("two feature schemas are named " + f.name() + ": " + sameName
                        + " and " + f);
            }
            FeatureSchema sameOrder = byOrder.put(f.order(), f);
            if (sameOrder != null) {
                throw new IllegalArgumentException("feature schemas " + sameOrder.name() + " and " + f.name()
                        + " share order " + f.order() + "; each needs its own");
            }
        }
        this.features = List.copyOf(sorted);
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

    @Override
    public MigrationResult migrate() {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_lock(hashtext(?))")) {
                lock.setString(1, "llmstore.migrate." + schema);
                lock.execute();
            }
            MigrationResult result;
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

    /** One row of the history table. */
    private record Recorded(String feature, int version, String flavor, String script, String checksum) {
    }

    /** What a run will do for one feature: its scripts for this database, and what the history already holds. */
    private record Plan(FeatureSchema feature, List<Migration> scripts, Map<Integer, Recorded> recorded, String recordAs) {
    }

    private MigrationResult migrateLocked(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA IF NOT EXISTS \"" + schema + "\"");
            st.execute("SET search_path TO " + searchPath(schema));
        }
        ensureHistoryTable(c);
        List<Recorded> history = new ArrayList<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT feature, version, flavor, script, checksum FROM " + HISTORY
                     + " ORDER BY feature, version")) {
            while (rs.next()) {
                history.add(new Recorded(rs.getString(1), rs.getInt(2), rs.getString(3), rs.getString(4), rs.getString(5)));
            }
        }
        // Only a flavor-specific script commits the schema to its flavor; a schema holding just common scripts (a first
        // run that failed at the hypertable step, say) is detected again.
        String recordedFlavor = history.stream().filter(r -> Migrations.flavorOf(r.script()) != null)
                .map(r -> r.flavor().replace(Migrations.WITH_VECTOR, "")).findFirst().orElse(null);
        String flavor = recordedFlavor != null ? keepRecorded(recordedFlavor) : detectFlavor(c);

        Set<String> known = new HashSet<>();
        features.forEach(f -> known.add(f.name()));
        Set<String> unknown = new TreeSet<>();
        history.stream().map(Recorded::feature).filter(f -> !known.contains(f)).forEach(unknown::add);
        if (!unknown.isEmpty()) {
            // A newer release added these features; this one neither reads nor writes their tables.
            log.warn("schema {}: {} lists features this llmstore release does not know, left as they are: {}", schema,
                    HISTORY, unknown);
        }

        // Check every feature before applying any script: a refused database keeps its tables and history rows.
        List<Plan> plans = new ArrayList<>();
        for (FeatureSchema f : features) {
            Map<Integer, Recorded> recorded = new LinkedHashMap<>();
            history.stream().filter(r -> r.feature().equals(f.name())).forEach(r -> recorded.put(r.version(), r));
            List<Migration> all = Migrations.load(f);
            refuseNewerVersions(f, all, recorded);
            boolean vector = usesVector(c, f, recorded);
            List<Migration> scripts = Migrations.plan(all, flavor, vector);
            for (Recorded r : recorded.values()) {
                refuseChangedScript(f, all, scripts, r);
            }
            plans.add(new Plan(f, scripts, recorded, vector ? flavor + Migrations.WITH_VECTOR : flavor));
        }

        List<MigrationResult.Feature> results = new ArrayList<>();
        for (Plan plan : plans) {
            List<Integer> done = new ArrayList<>();
            int current = plan.recorded().keySet().stream().mapToInt(Integer::intValue).max().orElse(0);
            for (Migration m : plan.scripts()) {
                if (plan.recorded().containsKey(m.version())) {
                    continue;
                }
                long start = System.nanoTime();
                apply(c, m, plan.recordAs(), start);
                done.add(m.version());
                current = Math.max(current, m.version());
                log.info("schema {}: applied {} ({} flavor) in {} ms", schema, m.qualifiedName(), plan.recordAs(),
                        (System.nanoTime() - start) / 1_000_000);
            }
            plan.feature().afterMigrate(c, flavor);
            results.add(new MigrationResult.Feature(plan.feature().name(), done, current));
        }
        return new MigrationResult(flavor, results);
    }

    /**
     * Creates the history table, or upgrades the shape earlier releases created (no {@code feature} column, primary
     * key on {@code version}) in place, in one transaction: every existing row becomes feature {@code usage}, the only
     * feature those releases had. The column keeps DEFAULT 'usage' because an instance of such a release, still
     * running during a rolling upgrade, records usage versions without naming a feature.
     */
    private void ensureHistoryTable(Connection c) throws SQLException {
        Set<String> columns = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT column_name FROM information_schema.columns"
                + " WHERE table_schema = ? AND table_name = ?")) {
            ps.setString(1, schema);
            ps.setString(2, HISTORY);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.add(rs.getString(1));
                }
            }
        }
        if (columns.isEmpty()) {
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TABLE IF NOT EXISTS " + HISTORY + " (version INT NOT NULL, description TEXT NOT NULL,"
                        + " flavor TEXT NOT NULL, script TEXT NOT NULL, checksum TEXT NOT NULL,"
                        + " installed_at TIMESTAMPTZ NOT NULL DEFAULT now(), execution_ms BIGINT NOT NULL,"
                        + " feature TEXT NOT NULL DEFAULT '" + MigrationResult.USAGE + "',"
                        + " CONSTRAINT " + HISTORY + "_pkey PRIMARY KEY (feature, version))");
            }
            return;
        }
        if (columns.contains("feature")) {
            return;
        }
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            String primaryKey;
            try (ResultSet rs = st.executeQuery("SELECT conname FROM pg_constraint WHERE contype = 'p' AND conrelid = '"
                    + qualified(HISTORY) + "'::regclass")) {
                primaryKey = rs.next() ? rs.getString(1) : null;
            }
            st.execute("ALTER TABLE " + HISTORY + " ADD COLUMN feature TEXT NOT NULL DEFAULT '" + MigrationResult.USAGE + "'");
            if (primaryKey != null) {
                st.execute("ALTER TABLE " + HISTORY + " DROP CONSTRAINT \"" + primaryKey + "\"");
            }
            st.execute("ALTER TABLE " + HISTORY + " ADD CONSTRAINT " + HISTORY + "_pkey PRIMARY KEY (feature, version)");
            int rows;
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + HISTORY)) {
                rs.next();
                rows = rs.getInt(1);
            }
            c.commit();
            log.info("schema {}: {} upgraded to record features; its {} rows are feature {}", schema, HISTORY, rows,
                    MigrationResult.USAGE);
        } catch (SQLException | RuntimeException e) {
            try {
                c.rollback();
            } catch (SQLException rollbackFailure) {
                e.addSuppressed(rollbackFailure);
            }
            throw e;
        } finally {
            try {
                c.setAutoCommit(true);
            } catch (SQLException ignored) {
                // Broken connection: the failure being thrown says why; the pool discards the connection.
            }
        }
    }

    private String qualified(String table) {
        return "\"" + schema + "\"." + table;
    }

    /** A recorded version this release does not ship: the database was migrated by a newer release. */
    private void refuseNewerVersions(FeatureSchema f, List<Migration> all, Map<Integer, Recorded> recorded) {
        Set<Integer> shipped = new TreeSet<>();
        all.forEach(m -> shipped.add(m.version()));
        int newest = shipped.stream().mapToInt(Integer::intValue).max().orElse(0);
        for (Recorded r : recorded.values()) {
            if (!shipped.contains(r.version())) {
                throw new ConfigException("schema " + schema + ", feature " + f.name() + ": " + HISTORY
                        + " records version " + r.version() + " (" + r.script() + "), which this llmstore release does"
                        + " not ship (its newest " + f.name() + " version is " + newest + "): the database was migrated"
                        + " by a newer llmstore release; run that release (or newer), or use another DB_SCHEMA");
            }
        }
    }

    /** A recorded script whose checksum differs from the one shipped: it was edited after it was applied. */
    private void refuseChangedScript(FeatureSchema f, List<Migration> all, List<Migration> plan, Recorded r) {
        // Compared with the script of the recorded name (a schema's flavor never changes, so that is the one planned);
        // failing that, with the planned script of the same version.
        Migration shipped = all.stream().filter(m -> m.file().equals(r.script())).findFirst()
                .orElseGet(() -> plan.stream().filter(m -> m.version() == r.version()).findFirst().orElse(null));
        if (shipped == null || !shipped.checksum().equals(r.checksum())) {
            throw new ConfigException("schema " + schema + ", feature " + f.name() + ", version " + r.version() + ": "
                    + r.script() + " was applied with checksum " + r.checksum() + " but this release ships "
                    + (shipped == null ? "no such script" : shipped.file() + " with checksum " + shipped.checksum())
                    + ": an applied script must never change; restore it and put the change in a new version");
        }
    }

    /** Whether {@code f} is migrated with its pgvector scripts; probes the server only for a new vector feature. */
    private boolean usesVector(Connection c, FeatureSchema f, Map<Integer, Recorded> recorded) throws SQLException {
        boolean hasHistory = !recorded.isEmpty();
        boolean recordedVector = recorded.values().stream().anyMatch(r -> r.flavor().endsWith(Migrations.WITH_VECTOR));
        if (f.vector() == FeatureSchema.Vector.NONE || (f.vector() == FeatureSchema.Vector.OPTIONAL && hasHistory)) {
            return decideVector(schema, f, hasHistory, recordedVector, false);
        }
        boolean present;
        // Available is not enough: CREATE EXTENSION vector needs a superuser (pgvector is not a trusted extension,
        // or a trusted one needs CREATE on the database). A .vector script this user cannot run would fail the whole
        // migration, every feature's, where the feature could simply go without pgvector.
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT EXISTS (SELECT 1 FROM"
                + " pg_extension WHERE extname = 'vector') OR EXISTS (SELECT 1 FROM pg_available_extension_versions v"
                + " WHERE v.name = 'vector' AND ((SELECT rolsuper FROM pg_roles WHERE rolname = current_user)"
                + " OR (v.trusted AND has_database_privilege(current_database(), 'CREATE'))))")) {
            rs.next();
            present = rs.getBoolean(1);
        }
        return decideVector(schema, f, hasHistory, recordedVector, present);
    }

    /**
     * The pgvector rule: never for a feature without vector use; for an optional user the recorded choice once the
     * feature has history (so its later scripts match its tables), else whether pgvector is here ({@code present}:
     * created in this database, or installed on the server so its script can create it); a required user needs it.
     *
     * @throws NotConfiguredException when {@code f} requires pgvector and it is not present
     */
    static boolean decideVector(String schema, FeatureSchema f, boolean hasHistory, boolean recordedVector,
                                boolean present) {
        switch (f.vector()) {
            case NONE:
                return false;
            case OPTIONAL:
                return hasHistory ? recordedVector : present;
            default:
                if (!present) {
                    throw new NotConfiguredException("schema " + schema + ": feature " + f.name() + " needs the pgvector"
                            + " extension (vector), which this PostgreSQL server does not have (not in"
                            + " pg_available_extensions): install pgvector on the server"
                            + " (https://github.com/pgvector/pgvector), then migrate again");
                }
                return true;
        }
    }

    private String keepRecorded(String recorded) {
        boolean contradicts = (timescale == Timescale.OFF && Migrations.TIMESCALEDB.equals(recorded))
                || (timescale == Timescale.ON && Migrations.POSTGRESQL.equals(recorded));
        if (contradicts) {
            log.warn("schema {} was created with the {} flavor; DB_TIMESCALEDB={} applies only to a new schema"
                    + " (choose another DB_SCHEMA, or drop this one, to change it)", schema, recorded,
                    timescale.name().toLowerCase(Locale.ROOT));
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
            return Migrations.POSTGRESQL;
        }
        ServerInfo info;
        try {
            info = ServerInfo.probe(c);
        } catch (SQLException e) {
            throw SqlErrors.translate("probing for TimescaleDB", e);
        }
        if (info.timescaleUsable()) {
            return Migrations.TIMESCALEDB;
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
        return Migrations.POSTGRESQL;
    }

    private void apply(Connection c, Migration m, String recordAs, long start) throws SQLException {
        if (m.transactional()) {
            c.setAutoCommit(false);
            try {
                executeAll(c, m);
                record(c, m, recordAs, start);
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
            record(c, m, recordAs, start);
        }
    }

    private static void executeAll(Connection c, Migration m) throws SQLException {
        for (String sql : m.statements()) {
            try (Statement st = c.createStatement()) {
                st.execute(sql);
            } catch (SQLException e) {
                SQLException wrapped = new SQLException("migration " + m.qualifiedName() + " failed at: "
                        + sql.lines().findFirst().orElse(sql) + " -- " + e.getMessage(), e.getSQLState(), e);
                throw wrapped;
            }
        }
    }

    private static void record(Connection c, Migration m, String recordAs, long start) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + HISTORY
                + " (feature, version, description, flavor, script, checksum, execution_ms) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, m.feature());
            ps.setInt(2, m.version());
            ps.setString(3, m.description());
            ps.setString(4, recordAs);
            ps.setString(5, m.file());
            ps.setString(6, m.checksum());
            ps.setLong(7, (System.nanoTime() - start) / 1_000_000);
            ps.executeUpdate();
        }
    }

    @Override
    public String toString() {
        return "SchemaMigrator{schema=" + schema + ", timescale=" + timescale + ", features=" + features + "}";
    }
}
