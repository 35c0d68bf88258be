package io.llmstore.timescale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.error.ConfigException;
import io.llmstore.core.usage.MigrationResult;
import io.llmstore.core.usage.UsageMetric;
import io.llmstore.testkit.PostgresServer;
import io.llmstore.testkit.Schemas;
import io.llmstore.timescale.internal.FeatureSchema;
import io.llmstore.timescale.internal.FeatureSchemas;
import io.llmstore.timescale.internal.SchemaMigrator;
import io.llmstore.timescale.previous.PreviousReleaseMigrator;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Schema per feature, proven on a real server: a database created by the release before feature schemas upgrades in
 * place, a second (test-only) feature migrates after usage under its own name, and what the migrator refuses.
 * {@link PostgresFeatureSchemaTest} runs it on PostgreSQL 15, {@link TimescaleFeatureSchemaTest} on TimescaleDB.
 * Each test owns a fresh schema.
 */
abstract class FeatureSchemaContract {
    private static final String HISTORY = "llmstore_schema_history";
    /** The gateway feature (order 200) migrates with every pool: its one version, applied by this run. */
    private static final MigrationResult.Feature GATEWAY_APPLIED = new MigrationResult.Feature("gateway", List.of(1), 1);

    protected String schema;
    private final List<StoragePool> pools = new ArrayList<>();
    private final List<String> schemas = new ArrayList<>();

    abstract PostgresServer server();

    abstract boolean expectTimescale();

    @BeforeEach
    void chooseAFreshSchema() {
        schema = "f_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        schemas.add(schema);
    }

    @AfterEach
    void dropSchemasAndClose() throws SQLException {
        for (StoragePool p : pools) {
            p.close();
        }
        PostgresServer s = server();
        try (Connection c = java.sql.DriverManager.getConnection(s.jdbcUrl(), s.user(), s.password())) {
            for (String name : schemas) {
                Schemas.drop(c, name);
            }
        }
    }

    /** A pool on {@code schemaName}; migrated on start when {@code migrate}. */
    StoragePool open(String schemaName, boolean migrate) {
        int max = Math.min(4, server().maxConnections());
        StoragePool p = StoragePool.create(StorageConfig.builder()
                .databaseUrl(server().databaseUrl())
                .poolMaxConnections(max)
                .poolMinConnections(Math.min(1, max))
                .retryMaxAttempts(2)
                .set("DB_SCHEMA", schemaName)
                .set("DB_MIGRATE_ON_START", Boolean.toString(migrate))
                .build());
        pools.add(p);
        return p;
    }

    static DataSource dataSource(StoragePool p) {
        return p.client(DataSource.class).orElseThrow();
    }

    /** Today's migrator on this test's schema: the standard features, then {@code extra}. */
    SchemaMigrator migrator(StoragePool p, FeatureSchema... extra) {
        List<FeatureSchema> features = new ArrayList<>(List.of(extra)); // registered after: order() decides, not the list
        features.addAll(FeatureSchemas.standard(Optional.empty(), Optional.empty(), Duration.ofMinutes(1)));
        return new SchemaMigrator(dataSource(p), schema, SchemaMigrator.Timescale.AUTO, features);
    }

    /** The usage versions this release applies to an empty schema of this flavor. */
    List<Integer> usageVersions() {
        return expectTimescale() ? List.of(1, 2, 3, 4, 5) : List.of(1, 3, 4, 5);
    }

    /** The usage versions the previous release (the frozen fixture) applied. */
    List<Integer> previousReleaseVersions() {
        return expectTimescale() ? List.of(1, 2, 3, 4) : List.of(1, 3, 4);
    }

    /** The usage schema version of this release. */
    static final int USAGE_CURRENT = 5;
    /** The operation store's newest version (a standard feature since the operation store). */
    static final int OPERATION_CURRENT = 1;

    String flavor() {
        return expectTimescale() ? "timescaledb" : "postgresql";
    }

    static List<String> column(StoragePool p, String sql, Object... args) {
        List<String> out = new ArrayList<>();
        try (Connection c = dataSource(p).getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    static void execute(StoragePool p, String sql) throws SQLException {
        try (Connection c = dataSource(p).getConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    /** The history table's columns (name, type, nullability, default) and primary key, as text. */
    static List<String> historyShape(StoragePool p, String schemaName) {
        List<String> shape = column(p, "SELECT column_name || ' ' || data_type || ' ' || is_nullable || ' '"
                + " || coalesce(column_default, '-') FROM information_schema.columns WHERE table_schema = ?"
                + " AND table_name = ? ORDER BY column_name", schemaName, HISTORY);
        shape.addAll(column(p, "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'p'"
                + " AND conrelid = ('\"' || ? || '\".' || ?)::regclass", schemaName, HISTORY));
        return shape;
    }

    /** The rows of a continuous aggregate's materialization hypertable (what a refresh stored), as text. */
    static List<String> materialized(StoragePool p, String schemaName, String view) {
        List<String> table = column(p, "SELECT format('%I.%I', materialization_hypertable_schema,"
                + " materialization_hypertable_name) FROM timescaledb_information.continuous_aggregates"
                + " WHERE view_schema = ? AND view_name = ?", schemaName, view);
        assertThat(table).as(view + " is a continuous aggregate").hasSize(1);
        return UsageStoreContract.snapshot(p, "SELECT * FROM " + table.get(0) + " ORDER BY 1, 2, 3");
    }

    // ------------------------------------------------------------------ upgrade in place

    @Test
    void aDatabaseCreatedByThePreviousReleaseUpgradesInPlaceKeepingEveryRowRollupAndHistoryRow() throws Exception {
        StoragePool p = open(schema, false);
        // Created exactly as the release before feature schemas does: its migrator, its scripts V1..V4, its history.
        List<Integer> created = new PreviousReleaseMigrator(dataSource(p), schema, PreviousReleaseMigrator.Timescale.AUTO,
                Optional.empty(), Optional.empty(), Duration.ofMinutes(1)).migrate();
        assertThat(created).containsExactlyElementsOf(previousReleaseVersions());
        assertThat(column(p, "SELECT column_name FROM information_schema.columns WHERE table_schema = ?"
                + " AND table_name = ? AND column_name = 'feature'", schema, HISTORY)).as("the old shape").isEmpty();
        List<UsageMetric> rows = UsageData.generate(500, 3, 33);
        insertAsThePreviousReleaseDid(p, rows);
        if (expectTimescale()) {
            try (Connection c = dataSource(p).getConnection()) {
                c.setAutoCommit(true);
                UsageStoreContract.refreshWaitingOutPolicies(c, "llm_usage_hourly");
                UsageStoreContract.refreshWaitingOutPolicies(c, "llm_usage_daily");
            }
        }
        String allRows = "SELECT " + PREVIOUS_RELEASE_COLUMNS + " FROM llm_usage_metrics ORDER BY event_id";
        String hourly = "SELECT * FROM llm_usage_hourly ORDER BY bucket, model_id, provider";
        String daily = "SELECT * FROM llm_usage_daily ORDER BY bucket, model_id, provider";
        String history = "SELECT version, description, flavor, script, checksum, installed_at, execution_ms FROM " + HISTORY;
        List<String> rowsBefore = UsageStoreContract.snapshot(p, allRows);
        List<String> hourlyBefore = UsageStoreContract.snapshot(p, hourly);
        List<String> dailyBefore = UsageStoreContract.snapshot(p, daily);
        List<String> historyBefore = UsageStoreContract.snapshot(p, history + " ORDER BY version");
        List<String> materializedHourly = expectTimescale() ? materialized(p, schema, "llm_usage_hourly") : List.of();
        List<String> materializedDaily = expectTimescale() ? materialized(p, schema, "llm_usage_daily") : List.of();
        assertThat(rowsBefore).hasSize(500);
        assertThat(hourlyBefore).isNotEmpty();
        assertThat(historyBefore).hasSize(previousReleaseVersions().size());
        if (expectTimescale()) {
            assertThat(materializedHourly).as("the refresh materialized the hourly rollup").isNotEmpty();
            assertThat(materializedDaily).as("the refresh materialized the daily rollup").isNotEmpty();
        }

        MigrationResult upgrade = p.usage().migrate(); // today's migrator, through the pool

        assertThat(upgrade.flavor()).isEqualTo(flavor());
        assertThat(upgrade.features()).containsExactly(new MigrationResult.Feature("usage", List.of(5), USAGE_CURRENT),
                new MigrationResult.Feature("operation", List.of(1), OPERATION_CURRENT), GATEWAY_APPLIED);
        assertThat(UsageStoreContract.snapshot(p, allRows)).containsExactlyElementsOf(rowsBefore);
        assertThat(column(p, "SELECT count(*) FROM llm_usage_metrics WHERE usage_source IS NULL"
                + " AND time_to_first_token_ms IS NULL AND finish_reason IS NULL AND cost_saved_usd IS NULL"))
                .as("V5's columns say 'not said' on every earlier row").containsExactly("500");
        assertThat(UsageStoreContract.snapshot(p, hourly)).containsExactlyElementsOf(hourlyBefore);
        assertThat(UsageStoreContract.snapshot(p, daily)).containsExactlyElementsOf(dailyBefore);
        if (expectTimescale()) {
            assertThat(materialized(p, schema, "llm_usage_hourly")).containsExactlyElementsOf(materializedHourly);
            assertThat(materialized(p, schema, "llm_usage_daily")).containsExactlyElementsOf(materializedDaily);
        }
        // every history row kept as it was, now recorded as feature usage
        assertThat(UsageStoreContract.snapshot(p, history + " WHERE feature = 'usage' AND version <= 4 ORDER BY version"))
                .containsExactlyElementsOf(historyBefore);
        // plus this release's usage V5, operation V1 and gateway V1
        assertThat(column(p, "SELECT count(*) FROM " + HISTORY)).containsExactly(Integer.toString(historyBefore.size() + 3));
        // ... in a table of the same shape as one this release creates
        String fresh = schema + "_fresh";
        schemas.add(fresh);
        StoragePool freshPool = open(fresh, true);
        assertThat(historyShape(p, schema)).containsExactlyElementsOf(historyShape(freshPool, fresh))
                .contains("PRIMARY KEY (feature, version)");
        // and the upgraded database goes on working: a second migrate applies nothing, rows are written and read
        assertThat(p.usage().migrate().hasApplied()).isFalse();
        UsageMetric next = UsageMetric.builder().time(UsageData.START.plus(Duration.ofDays(9))).model("gpt-4o")
                .provider("openai").tokens(10, 5).build();
        p.usage().record(next);
        assertThat(column(p, "SELECT count(*) FROM llm_usage_metrics")).containsExactly("501");
    }

    // ------------------------------------------------------------------ a second feature

    @Test
    void aSecondFeatureMigratesAfterUsageAndIsRecordedUnderItsOwnName() {
        StoragePool p = open(schema, true); // usage only, as the pool migrates it
        MigrationResult first = migrator(p, TestFeatureSchema.notes()).migrate();

        assertThat(first.features()).extracting(MigrationResult.Feature::name).containsExactly("usage", "operation", "gateway", "notes");
        assertThat(first.feature("usage").orElseThrow()).isEqualTo(new MigrationResult.Feature("usage", List.of(), USAGE_CURRENT));
        assertThat(first.feature("notes").orElseThrow()).isEqualTo(new MigrationResult.Feature("notes", List.of(1, 2), 2));
        assertThat(column(p, "SELECT feature || ':' || version || ':' || script || ':' || flavor FROM " + HISTORY
                + " WHERE feature = 'notes' ORDER BY version"))
                .containsExactly("notes:1:V1__notes.sql:" + flavor(), "notes:2:V2__notes_index.sql:" + flavor());
        assertThat(column(p, "SELECT indexname FROM pg_indexes WHERE schemaname = ? AND tablename = 'test_notes'", schema))
                .containsExactly("test_notes_event_idx");

        MigrationResult again = migrator(p, TestFeatureSchema.notes()).migrate();
        assertThat(again.hasApplied()).isFalse();
        assertThat(again.feature("notes").orElseThrow().current()).isEqualTo(2);
    }

    @Test
    void onAnEmptySchemaEveryFeatureMigratesInOrderInOneRun() {
        StoragePool p = open(schema, false);
        // notes V1 creates a view over llm_usage_metrics: it succeeds only because usage (order 100) ran first
        MigrationResult result = migrator(p, TestFeatureSchema.notes()).migrate();
        assertThat(result.features()).containsExactly(
                new MigrationResult.Feature("usage", usageVersions(), USAGE_CURRENT),
                new MigrationResult.Feature("operation", List.of(1), OPERATION_CURRENT), GATEWAY_APPLIED,
                new MigrationResult.Feature("notes", List.of(1, 2), 2));
        assertThat(column(p, "SELECT feature || ':' || version FROM " + HISTORY + " ORDER BY feature, version"))
                .hasSize(usageVersions().size() + 1 + 1 + 2);
    }

    @Test
    void twoInstancesMigratingAtOnceOneAppliesEverythingAndTheOtherFindsItDone() throws Exception {
        StoragePool a = open(schema, false);
        StoragePool b = open(schema, false);
        CountDownLatch go = new CountDownLatch(1);
        CompletableFuture<MigrationResult> ra = CompletableFuture.supplyAsync(
                () -> await(go, () -> migrator(a, TestFeatureSchema.notes()).migrate()));
        CompletableFuture<MigrationResult> rb = CompletableFuture.supplyAsync(
                () -> await(go, () -> migrator(b, TestFeatureSchema.notes()).migrate()));
        go.countDown();
        MigrationResult winner = ra.get().hasApplied() ? ra.get() : rb.get();
        MigrationResult other = winner == ra.get() ? rb.get() : ra.get();

        assertThat(winner.features()).containsExactly(
                new MigrationResult.Feature("usage", usageVersions(), USAGE_CURRENT),
                new MigrationResult.Feature("operation", List.of(1), OPERATION_CURRENT), GATEWAY_APPLIED,
                new MigrationResult.Feature("notes", List.of(1, 2), 2));
        assertThat(other.features()).containsExactly(
                new MigrationResult.Feature("usage", List.of(), USAGE_CURRENT),
                new MigrationResult.Feature("operation", List.of(), OPERATION_CURRENT),
                new MigrationResult.Feature("gateway", List.of(), 1),
                new MigrationResult.Feature("notes", List.of(), 2));
        assertThat(column(a, "SELECT count(*) FROM " + HISTORY))
                .containsExactly(Integer.toString(usageVersions().size() + 1 + 1 + 2));
    }

    private static MigrationResult await(CountDownLatch go, Supplier<MigrationResult> s) {
        try {
            go.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return s.get();
    }

    // ------------------------------------------------------------------ refusals

    @Test
    void aScriptChangedAfterItWasAppliedIsRefusedNamingFeatureAndVersionAndNothingRuns() throws SQLException {
        StoragePool p = open(schema, true);
        execute(p, "UPDATE " + HISTORY + " SET checksum = repeat('0', 64) WHERE feature = 'usage' AND version = 3");

        assertThatThrownBy(() -> migrator(p, TestFeatureSchema.notes()).migrate())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("schema " + schema + ", feature usage, version 3: V3__rollups." + flavor() + ".sql")
                .hasMessageContaining("applied with checksum " + "0".repeat(64))
                .hasMessageContaining("an applied script must never change");
        // checked before anything was applied: the notes feature did not run
        assertThat(column(p, "SELECT count(*) FROM " + HISTORY + " WHERE feature = 'notes'")).containsExactly("0");
        assertThat(column(p, "SELECT coalesce(to_regclass(?)::text, 'absent')", "\"" + schema + "\".test_notes"))
                .containsExactly("absent");
    }

    @Test
    void aDatabaseMigratedByANewerReleaseIsRefusedNamingFeatureAndVersion() throws SQLException {
        StoragePool p = open(schema, true);
        execute(p, "INSERT INTO " + HISTORY + " (feature, version, description, flavor, script, checksum, execution_ms)"
                + " VALUES ('usage', 99, 'from a newer release', '" + flavor() + "', 'V99__from_a_newer_release.sql',"
                + " 'abc', 1)");

        assertThatThrownBy(p.usage()::migrate)
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("schema " + schema + ", feature usage: " + HISTORY
                        + " records version 99 (V99__from_a_newer_release.sql)")
                .hasMessageContaining("its newest usage version is " + USAGE_CURRENT)
                .hasMessageContaining("migrated by a newer llmstore release");
    }

    @Test
    void aFeatureOnlyANewerReleaseKnowsIsLeftAsItIs() throws SQLException {
        StoragePool p = open(schema, true);
        execute(p, "INSERT INTO " + HISTORY + " (feature, version, description, flavor, script, checksum, execution_ms)"
                + " VALUES ('from_the_future', 1, 'x', '" + flavor() + "', 'V1__x.sql', 'abc', 1)");

        assertThat(p.usage().migrate().hasApplied()).isFalse();
        assertThat(column(p, "SELECT feature FROM " + HISTORY + " WHERE feature NOT IN ('usage', 'operation', 'gateway')"))
                .containsExactly("from_the_future");
    }

    @Test
    void twoFeatureSchemasWithTheSameOrderAreRefusedNamingBoth() {
        StoragePool p = open(schema, false);
        TestFeatureSchema clash = new TestFeatureSchema("clash", FeatureSchemas.USAGE_ORDER, "/x/", List.of(),
                FeatureSchema.Vector.NONE);
        assertThatThrownBy(() -> migrator(p, clash))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("feature schemas clash and usage share order 100; each needs its own");
    }

    /** The usage columns of the previous release (schema V4); V5 added the stream columns after them. */
    static final String PREVIOUS_RELEASE_COLUMNS = "time, model_id, provider, request_count, token_input, token_output,"
            + " token_total, cost_usd, avg_latency_ms, error_count, success_count, user_id, application_id, environment,"
            + " metadata, event_id, token_cache_read, token_cache_write, token_reasoning, price_source";

    /** Rows written the way the previous release's writer wrote them: only the columns its schema had. */
    private static void insertAsThePreviousReleaseDid(StoragePool p, List<UsageMetric> rows) throws SQLException {
        try (Connection c = dataSource(p).getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO llm_usage_metrics (" + PREVIOUS_RELEASE_COLUMNS + ") VALUES"
                        + " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?)")) {
            for (UsageMetric m : rows) {
                ps.setObject(1, m.time().atOffset(java.time.ZoneOffset.UTC));
                ps.setString(2, m.modelId());
                ps.setString(3, m.provider());
                ps.setLong(4, m.requestCount());
                ps.setLong(5, m.tokenInput());
                ps.setLong(6, m.tokenOutput());
                ps.setLong(7, m.tokenTotal());
                ps.setBigDecimal(8, m.costUsd());
                ps.setDouble(9, m.avgLatencyMs());
                ps.setLong(10, m.errorCount());
                ps.setLong(11, m.successCount());
                ps.setString(12, m.userId());
                ps.setString(13, m.applicationId());
                ps.setString(14, m.environment());
                ps.setString(15, m.metadata());
                ps.setObject(16, m.eventId());
                ps.setObject(17, m.tokenCacheRead());
                ps.setObject(18, m.tokenCacheWrite());
                ps.setObject(19, m.tokenReasoning());
                ps.setString(20, m.priceSource());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }
}
