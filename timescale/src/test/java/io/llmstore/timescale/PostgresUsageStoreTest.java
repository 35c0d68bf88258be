package io.llmstore.timescale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmstore.core.error.ConfigException;
import io.llmstore.core.usage.UsageFilter;
import io.llmstore.core.usage.UsageMetric;
import io.llmstore.testkit.PostgresServer;
import io.llmstore.testkit.TestServers;
import io.llmstore.timescale.usage.TimescaleUsageWriter;
import io.llmstore.timescale.usage.WriteMode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The usage store contract on real PostgreSQL 15 (COPY bulk path, plain views as rollups). This server has the
 * timescaledb files installed but not preloaded, as many self-managed servers do: it lists the extension in
 * {@code pg_available_extensions}, and {@code CREATE EXTENSION timescaledb} would end the session with FATAL.
 */
class PostgresUsageStoreTest extends UsageStoreContract {
    @Override
    PostgresServer server() {
        return TestServers.postgres();
    }

    @Override
    boolean expectTimescale() {
        return false;
    }

    @Test
    void autoWriteModeUsesCopyOnRealPostgres() {
        assertThat(pool.client(TimescaleUsageWriter.class).orElseThrow().mode()).isEqualTo(WriteMode.COPY);
    }

    @Test
    void withCostFillingOnARowWithTokensButNoCostIsPricedFromTheCatalog() {
        var p = open(Map.of("USAGE_FILL_MISSING_COST", "true"));
        io.llmstore.core.price.PriceCatalog catalog = io.llmstore.core.price.PriceCatalog.bundled();
        UsageMetric noCost = UsageMetric.builder().time(UsageData.START).model("gpt-4o").provider("openai")
                .tokens(1_000_000, 100_000).build();
        UsageMetric unknown = UsageMetric.builder().time(UsageData.START.plusSeconds(1)).model("no-such-model")
                .provider("nobody").tokens(10, 10).build();
        p.usage().recordAll(List.of(noCost, unknown));
        java.math.BigDecimal expected = catalog.cost("openai", "gpt-4o",
                io.llmstore.core.price.TokenUsage.of(1_000_000, 100_000), UsageData.START).orElseThrow().total();
        List<UsageMetric> back = allRows(UsageFilter.between(UsageData.START, UsageData.START.plusSeconds(2)));
        assertThat(back.get(0).costUsd()).isPositive().isEqualByComparingTo(expected.setScale(6, java.math.RoundingMode.HALF_UP));
        assertThat(back.get(1).costUsd()).as("an unpriced model keeps no cost").isNull();
    }

    @Test
    void theBatchedInsertModeStoresTheSameRowsIdempotently() {
        var p = open(Map.of("DB_WRITE_MODE", "insert"));
        TimescaleUsageWriter writer = p.client(TimescaleUsageWriter.class).orElseThrow();
        assertThat(writer.mode()).isEqualTo(WriteMode.INSERT);
        List<UsageMetric> rows = UsageData.generate(800, 2, 71);
        assertThat(writer.store(rows)).isEqualTo(800);
        assertThat(writer.store(rows)).isZero();
        assertThat(allRows(UsageFilter.between(UsageData.START, UsageData.START.plus(Duration.ofDays(2)))))
                .containsExactlyElementsOf(sorted(rows));
    }

    @Test
    void autoOnAServerThatListsTimescaledbWithoutPreloadingItPicksPostgresqlAndTheSessionSurvives() throws Exception {
        try (Connection c = connection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_available_extensions WHERE name = 'timescaledb'")) {
            rs.next();
            assertThat(rs.getInt(1)).as("the server lists timescaledb").isEqualTo(1);
        }
        assertThat(pool.usage().migrate().flavor()).isEqualTo("postgresql");
        pool.usage().recordAll(UsageData.generate(10, 1, 3));
        assertThat(count()).isEqualTo(10);
    }

    @Test
    void onWhereTimescaledbIsNotPreloadedFailsNamingSharedPreloadLibraries() throws Exception {
        try (Connection c = connection(); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA \"" + schema + "\" CASCADE"); // a new schema: the flavor is chosen again
        }
        assertThatThrownBy(() -> open(Map.of("DB_TIMESCALEDB", "on")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("DB_TIMESCALEDB=on")
                .hasMessageContaining("shared_preload_libraries");
    }

    @Test
    void aFirstMigrationThatStoppedAfterTheCommonScriptIsRetriedWithTheFlavorDetectedAgain() throws Exception {
        // The state an earlier release left on this server: V1 recorded under the timescaledb flavor, then the
        // hypertable step failed (CREATE EXTENSION ended the session), so no flavor-specific script is recorded.
        try (Connection c = connection(); Statement st = c.createStatement()) {
            st.execute("DROP VIEW llm_usage_hourly, llm_usage_daily");
            st.execute("DELETE FROM llmstore_schema_history WHERE feature = 'usage' AND version > 1");
            st.execute("UPDATE llmstore_schema_history SET flavor = 'timescaledb' WHERE feature = 'usage'");
        }
        var again = open(Map.of()).usage().migrate();
        assertThat(again.flavor()).isEqualTo("postgresql");
        assertThat(again.current()).isEqualTo(5);
        pool.usage().recordAll(UsageData.generate(20, 1, 4));
        assertThat(pool.analytics().daily(UsageFilter.between(UsageData.START, UsageData.START.plus(Duration.ofDays(1)))))
                .isNotEmpty();
    }
}
