package io.llmstore.timescale;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmstore.core.usage.UsageFilter;
import io.llmstore.core.usage.UsageMetric;
import io.llmstore.testkit.PostgresServer;
import io.llmstore.testkit.TestServers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The usage store contract on real PostgreSQL 15 (COPY bulk path, plain views as rollups). */
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
}
