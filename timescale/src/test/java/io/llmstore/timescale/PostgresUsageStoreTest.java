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
