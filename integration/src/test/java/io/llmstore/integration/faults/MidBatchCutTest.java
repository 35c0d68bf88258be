package io.llmstore.integration.faults;

import io.llmstore.testkit.TcpProxy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.llmstore.core.StoragePool;
import io.llmstore.core.error.ConnectionException;
import io.llmstore.core.error.StorageException;
import io.llmstore.core.usage.BufferedUsageWriter;
import io.llmstore.core.usage.UsageMetric;
import io.llmstore.testkit.TestServers;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The connection to PostgreSQL is cut in the middle of a batch (the proxy forwards half of a chunk, then resets both
 * sides) while the server keeps running. A batch is one transaction: after the cut it is either wholly absent (the
 * synchronous call threw a retryable {@link ConnectionException}) or, once retried, stored exactly once. Never half.
 */
class MidBatchCutTest {
    private static final int BATCH = 20_000; // ~3 MB of COPY text, ~4 MB of bound arrays: the cut lands mid-stream
    private TcpProxy proxy;
    private String schema;

    @BeforeEach
    void proxy() throws Exception {
        proxy = TcpProxy.to(TestServers.postgres().host(), TestServers.postgres().port());
        schema = FaultSupport.newSchema();
    }

    @AfterEach
    void cleanUp() {
        proxy.close();
        FaultSupport.dropSchema(schema);
    }

    @ParameterizedTest(name = "write mode {0}")
    @ValueSource(strings = {"copy", "insert"})
    void aCutMidBatchFailsTheCallWithNothingStoredAndTheRetryStoresEachRowOnce(String mode) throws Exception {
        // One attempt, so the call shows the cut (with DB_RETRY_* the synchronous writer retries it by itself).
        try (StoragePool pool = FaultSupport.pool(FaultSupport.postgresConfig(FaultSupport.databaseUrlVia(proxy.port()), schema)
                .set("DB_WRITE_MODE", mode).set("DB_RETRY_MAX_ATTEMPTS", "1"))) {
            List<UsageMetric> batch = FaultSupport.rows(0, BATCH);
            List<UUID> ids = batch.stream().map(UsageMetric::eventId).toList();

            proxy.cutAfterUpstreamBytes(1 << 20);
            assertThatThrownBy(() -> pool.usage().recordAll(batch))
                    .isInstanceOf(ConnectionException.class)
                    .hasMessageContaining("PostgreSQL connection failed during storing " + BATCH + " usage rows")
                    .satisfies(e -> assertThat(((StorageException) e).isRetryable()).isTrue());
            assertThat(proxy.cuts()).isEqualTo(1);
            assertThat(FaultSupport.countOf(schema, ids)).as("rows of the cut batch stored").isZero();

            // The caller retries, as the retryable exception invites: a fresh pooled connection, every row once.
            pool.usage().recordAll(batch);
            assertThat(FaultSupport.counts(schema)).containsExactly(BATCH, BATCH);

            // A replay of the whole batch (say the ack was lost) stores nothing twice.
            pool.usage().recordAll(batch);
            assertThat(FaultSupport.counts(schema)).containsExactly(BATCH, BATCH);
        }
    }

    @ParameterizedTest(name = "write mode {0}")
    @ValueSource(strings = {"copy", "insert"})
    void theAsyncWriterRetriesACutBatchByItselfAndStoresEachRowOnce(String mode) throws Exception {
        try (StoragePool pool = FaultSupport.pool(FaultSupport.postgresConfig(FaultSupport.databaseUrlVia(proxy.port()), schema)
                .set("DB_WRITE_MODE", mode)
                .set("USAGE_FLUSH_SIZE", Integer.toString(BATCH))
                .set("USAGE_FLUSH_INTERVAL", "100ms"))) {
            BufferedUsageWriter writer = pool.usage().buffered();
            List<UsageMetric> batch = FaultSupport.rows(0, BATCH);

            proxy.cutAfterUpstreamBytes(256 << 10);
            writer.recordAll(batch);

            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> writer.stats().buffered() == 0);
            assertThat(proxy.cuts()).isEqualTo(1);
            assertThat(FaultSupport.counts(schema)).containsExactly(BATCH, BATCH);
            assertThat(writer.stats().dropped()).isZero();
            assertThat(writer.stats().poison()).isZero();
        }
    }
}
