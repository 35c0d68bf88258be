package io.llmstore.timescale;

import io.llmstore.core.buffer.BufferedWriter;
import io.llmstore.core.buffer.SpoolSettings;
import io.llmstore.core.error.ConnectionException;
import io.llmstore.core.usage.UsageWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.error.QueryException;
import io.llmstore.core.error.StorageException;
import io.llmstore.core.failure.PoisonIsolation;
import io.llmstore.core.price.PriceCatalog;
import io.llmstore.core.usage.BufferedUsageWriter;
import io.llmstore.core.usage.ErrorSummary;
import io.llmstore.core.usage.MigrationResult;
import io.llmstore.core.usage.ModelUsage;
import io.llmstore.core.usage.PageCursor;
import io.llmstore.core.usage.ProviderCost;
import io.llmstore.core.usage.UsageBucket;
import io.llmstore.core.usage.UsageCostFiller;
import io.llmstore.core.usage.UsageCsv;
import io.llmstore.core.usage.UsageFilter;
import io.llmstore.core.usage.UsageMetric;
import io.llmstore.core.usage.UsagePage;
import io.llmstore.core.usage.UsageQueries;
import io.llmstore.testkit.PostgresServer;
import io.llmstore.testkit.Schemas;
import io.llmstore.timescale.previous.PreviousReleaseMigrations;
import io.llmstore.timescale.usage.TimescaleUsageWriter;
import io.llmstore.timescale.usage.WriteMode;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the usage store promises, proven on a real server. {@link PostgresUsageStoreTest} runs it on PostgreSQL 15,
 * {@link TimescaleUsageStoreTest} on TimescaleDB 2.28 (hypertable, continuous aggregates, COPY, a pool of four).
 * Each test owns a fresh schema.
 */
abstract class UsageStoreContract {
    static final Instant ORIGIN = Instant.parse("2000-01-03T00:00:00Z");

    protected String schema;
    protected final List<StoragePool> pools = new ArrayList<>();
    protected StoragePool pool;

    abstract PostgresServer server();

    abstract boolean expectTimescale();

    @BeforeEach
    void openPoolOnFreshSchema() {
        schema = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        pool = open(Map.of());
    }

    @AfterEach
    void dropSchemaAndClose() throws SQLException {
        for (StoragePool p : pools) {
            p.close();
        }
        try (Connection c = connection(); Statement st = c.createStatement()) {
            Schemas.drop(c, schema);
        }
    }

    String databaseUrl() {
        return server().databaseUrl();
    }

    /** A pool on this test's schema, migrated on start; {@code extra} settings win. */
    StoragePool open(Map<String, String> extra) {
        int max = Math.min(4, server().maxConnections());
        StorageConfig.Builder b = StorageConfig.builder()
                .databaseUrl(databaseUrl())
                .poolMaxConnections(max)
                .poolMinConnections(Math.min(1, max))
                .retryMaxAttempts(2)
                .set("DB_SCHEMA", schema)
                .set("DB_MIGRATE_ON_START", "true");
        // DB_TIMESCALEDB stays auto on both servers: the PostgreSQL test server lists the timescaledb package without
        // preloading it, and auto must still pick the plain flavor there.
        extra.forEach(b::set);
        StoragePool p = StoragePool.create(b.build());
        pools.add(p);
        pool = p;
        return p;
    }

    static DataSource dataSource(StoragePool p) {
        return p.client(DataSource.class).orElseThrow();
    }

    /** A connection from an open pool of this test, else a direct one on this test's schema. */
    Connection connection() throws SQLException {
        for (StoragePool p : pools) {
            if (!p.isClosed()) {
                return dataSource(p).getConnection();
            }
        }
        PostgresServer s = server();
        Connection c = java.sql.DriverManager.getConnection(s.jdbcUrl(), s.user(), s.password());
        try (Statement st = c.createStatement()) {
            st.execute("SET search_path TO \"" + schema + "\", public");
        }
        return c;
    }

    long count(String where) {
        try (Connection c = connection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM llm_usage_metrics" + (where.isEmpty() ? "" : " WHERE " + where))) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    long count() {
        return count("");
    }

    // ------------------------------------------------------------------ schema

    @Test
    void migrationOnAFreshSchemaCreatesTheTablesAndARerunAppliesNothing() throws SQLException {
        // The pool migrated on start; a second migrate applies nothing.
        MigrationResult again = pool.usage().migrate();
        assertThat(again.applied()).isEmpty();
        assertThat(again.current()).isEqualTo(5);
        assertThat(again.flavor()).isEqualTo(expectTimescale() ? "timescaledb" : "postgresql");

        try (Connection c = dataSource(pool).getConnection(); Statement st = c.createStatement()) {
            ResultSet rs = st.executeQuery("SELECT version, flavor FROM llmstore_schema_history WHERE feature = 'usage' ORDER BY version");
            List<String> history = new ArrayList<>();
            while (rs.next()) {
                history.add(rs.getInt(1) + ":" + rs.getString(2));
            }
            String f = again.flavor();
            assertThat(history).containsExactlyElementsOf(expectTimescale()
                    ? List.of("1:" + f, "2:" + f, "3:" + f, "4:" + f, "5:" + f)
                    : List.of("1:" + f, "3:" + f, "4:" + f, "5:" + f));
            rs = st.executeQuery("SELECT table_name FROM information_schema.tables WHERE table_schema = '" + schema
                    + "' ORDER BY table_name");
            List<String> tables = new ArrayList<>();
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
            assertThat(tables).contains("llm_usage_metrics", "llm_usage_hourly", "llm_usage_daily", "llmstore_schema_history");
            rs = st.executeQuery("SELECT count(*) FROM pg_indexes WHERE schemaname = '" + schema
                    + "' AND tablename = 'llm_usage_metrics'");
            rs.next();
            assertThat(rs.getInt(1)).as("unique key + time, model, provider, user indexes").isGreaterThanOrEqualTo(5);
        }
        // Another application instance starting with migrate-on-start re-runs nothing either.
        StoragePool second = open(Map.of());
        assertThat(second.usage().migrate().applied()).isEmpty();
    }

    @Test
    void aRoleWithoutSuperuserRightsGetsTheSameFlavor() throws SQLException {
        String role = schema + "_role";
        try (Connection c = connection(); Statement st = c.createStatement()) {
            st.execute("CREATE ROLE " + role + " LOGIN PASSWORD 'pw-" + role + "'");
            st.execute("GRANT CREATE ON DATABASE " + server().database() + " TO " + role);
        }
        String own = schema + "_own";
        try {
            StoragePool p = StoragePool.create(StorageConfig.builder()
                    .databaseUrl("postgresql://" + role + ":pw-" + role + "@" + server().host() + ":" + server().port()
                            + "/" + server().database() + "?sslmode=disable")
                    .poolMaxConnections(2).poolMinConnections(1).retryMaxAttempts(1)
                    .set("DB_SCHEMA", own).set("DB_MIGRATE_ON_START", "true").build());
            try (p) {
                assertThat(p.usage().migrate().flavor()).isEqualTo(expectTimescale() ? "timescaledb" : "postgresql");
            }
        } finally {
            try (Connection c = connection(); Statement st = c.createStatement()) {
                Schemas.drop(c, own);
                st.execute("DROP OWNED BY " + role + " CASCADE");
                st.execute("DROP ROLE " + role);
            }
        }
    }

    // ------------------------------------------------------------------ writer

    @Test
    void recordAllStoresEveryFieldAsGiven() {
        List<UsageMetric> rows = UsageData.generate(500, 2, 7);
        pool.usage().recordAll(rows);
        List<UsageMetric> back = allRows(UsageFilter.between(UsageData.START, UsageData.START.plus(Duration.ofDays(3))));
        assertThat(back).containsExactlyElementsOf(sorted(rows));
    }

    @Test
    void aReplayedBatchStoresNoDuplicates() {
        List<UsageMetric> rows = UsageData.generate(1000, 1, 11);
        TimescaleUsageWriter writer = pool.client(TimescaleUsageWriter.class).orElseThrow();
        assertThat(writer.store(rows)).isEqualTo(1000);
        assertThat(writer.store(rows)).isZero();
        pool.usage().recordAll(rows.subList(0, 10));
        pool.usage().record(rows.get(500));
        assertThat(count()).isEqualTo(1000);
        // A batch mixing stored and new rows stores exactly the new ones.
        List<UsageMetric> mixed = new ArrayList<>(rows.subList(200, 700));
        mixed.addAll(UsageData.generate(100, 1, 12));
        mixed.add(mixed.get(0)); // and a duplicate inside the batch itself
        assertThat(writer.store(mixed)).isEqualTo(100);
        assertThat(count()).isEqualTo(1100);
    }

    @Test
    void sqlLookingAndSpecialCharacterStringsAreStoredVerbatim() {
        String[] nasty = {
            "x'); DROP TABLE llm_usage_metrics; --",
            "tab\there, newline\nthere, cr\r, backslash \\N \\\\ and \"quotes\" ,comma",
            "unicode: héllo 日本語 🚀 \u00ad",
            "\\.",
        };
        List<UsageMetric> rows = new ArrayList<>();
        for (int i = 0; i < nasty.length; i++) {
            rows.add(UsageMetric.builder().eventId(new UUID(99, i)).time(UsageData.START.plusSeconds(i))
                    .model(nasty[i]).provider(nasty[(i + 1) % nasty.length]).user(nasty[(i + 2) % nasty.length])
                    .application(nasty[(i + 3) % nasty.length]).environment("env")
                    .metadata("{\"q\": \"a\\tb\\n\\\\ 🚀 '); DROP\"}")
                    .tokens(1, 2).build());
        }
        pool.usage().recordAll(rows);
        List<UsageMetric> back = allRows(UsageFilter.between(UsageData.START, UsageData.START.plusSeconds(10)));
        assertThat(back).containsExactlyElementsOf(rows);
        assertThat(count()).isEqualTo(nasty.length); // and the table is still there
    }

    @Test
    void invalidRowsAreRejectedWithAMessageNamingTheField() {
        UsageMetric.Builder ok = UsageMetric.builder().time(UsageData.START).model("m").provider("p");
        assertThatThrownBy(() -> UsageMetric.builder().time(UsageData.START).model(" ").provider("p").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("modelId");
        assertThatThrownBy(() -> UsageMetric.builder().time(UsageData.START).model("m").provider(null).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("provider");
        assertThatThrownBy(() -> UsageMetric.builder().model("m").provider("p").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("time");
        assertThatThrownBy(() -> ok.tokens(-3, 1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tokenInput must be >= 0, was -3");
        assertThatThrownBy(() -> UsageMetric.builder().time(UsageData.START).model("m").provider("p").errors(-1).build())
                .hasMessageContaining("errorCount");
        assertThatThrownBy(() -> UsageMetric.builder().time(UsageData.START).model("m").provider("p")
                .costUsd(new BigDecimal("10000000000")).build()).hasMessageContaining("costUsd");
        assertThatThrownBy(() -> UsageMetric.builder().time(UsageData.START).model("m").provider("p")
                .costUsd(new BigDecimal("-0.1")).build()).hasMessageContaining("costUsd");
        assertThatThrownBy(() -> UsageMetric.builder().time(UsageData.START).model("m").provider("p")
                .latencyMs(Double.NaN).build()).hasMessageContaining("avgLatencyMs");

        UsageMetric base = UsageMetric.builder().time(UsageData.START).model("m").provider("p").build();
        assertThatThrownBy(() -> pool.usage().record(base.toBuilder().metadata("[1, 2]").build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("metadata must be a JSON object");
        assertThatThrownBy(() -> pool.usage().buffered().record(base.toBuilder().metadata("{\"a\": ").build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("metadata must be valid JSON");
        String big = "{\"a\": \"" + "x".repeat(20_000) + "\"}";
        assertThatThrownBy(() -> pool.usage().record(base.toBuilder().metadata(big).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("metadata must be at most 16384 bytes").hasMessageContaining("USAGE_METADATA_MAX_BYTES");
        assertThat(count()).isZero();
    }

    // ------------------------------------------------------------------ buffered writer

    @Test
    void theBufferedWriterFlushesWhenFlushSizeRowsAreBuffered() {
        StoragePool p = open(Map.of("USAGE_FLUSH_SIZE", "100", "USAGE_FLUSH_INTERVAL", "1h"));
        List<UsageMetric> rows = UsageData.generate(150, 1, 21);
        p.usage().buffered().recordAll(rows.subList(0, 100));
        await().atMost(Duration.ofSeconds(10)).until(() -> count() == 100);
        p.usage().buffered().recordAll(rows.subList(100, 150));
        sleep(500);
        assertThat(count()).as("50 rows are below the flush size and the interval is an hour").isEqualTo(100);
        p.close();
        assertThat(count()).as("close flushes the rest").isEqualTo(150);
    }

    @Test
    void theBufferedWriterFlushesWhenTheIntervalPasses() {
        StoragePool p = open(Map.of("USAGE_FLUSH_SIZE", "10000", "USAGE_FLUSH_INTERVAL", "200ms"));
        p.usage().buffered().recordAll(UsageData.generate(10, 1, 22));
        await().atMost(Duration.ofSeconds(5)).until(() -> count() == 10);
        assertThat(p.usage().buffered().stats().written()).isEqualTo(10);
    }

    @Test
    void closingTheBufferedWriterFlushesWhatItHolds() {
        TimescaleUsageWriter writer = pool.client(TimescaleUsageWriter.class).orElseThrow();
        BufferedUsageWriter buffer = BufferedUsageWriter.builder(writer).flushSize(10_000)
                .flushInterval(Duration.ofHours(1)).admission(writer::prepare).build();
        buffer.recordAll(UsageData.generate(1234, 1, 23));
        assertThat(count()).isZero();
        buffer.close();
        buffer.close();
        assertThat(count()).isEqualTo(1234);
        assertThatThrownBy(() -> buffer.record(UsageData.generate(1, 1, 24).get(0)))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void eachBufferedRowIsPreparedOnceOnItsWayToTheTableAndTheSynchronousPathStillChecksEveryRow() {
        AtomicInteger pricings = new AtomicInteger();
        UsageCostFiller filler = m -> {
            pricings.incrementAndGet();
            return m.modelId().equals("unpriced-model") ? null : new BigDecimal("0.5");
        };
        TimescaleUsageWriter direct = TimescaleUsageWriter.create(dataSource(pool), WriteMode.AUTO, 4096, filler);
        List<UsageMetric> rows = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            rows.add(UsageMetric.builder().eventId(new UUID(77, i)).time(UsageData.START.plusSeconds(i))
                    .model(i % 2 == 0 ? "gpt-4o" : "unpriced-model").provider("openai").tokens(100, 10)
                    .metadata("{\"i\": " + i + "}").build());
        }
        try (BufferedUsageWriter buffer = BufferedUsageWriter.builder(direct.preparedRows()).flushSize(1000)
                .flushInterval(Duration.ofHours(1)).admission(direct::prepare).build()) {
            buffer.recordAll(rows);
            buffer.flush();
            assertThat(buffer.stats().written()).isEqualTo(200);
        }
        // Without a second preparation on the flusher: the 100 rows the filler cannot price are asked about once.
        assertThat(pricings).as("filler calls for 200 buffered rows").hasValue(200);
        assertThat(count("cost_usd = 0.5 AND price_source = 'filler'")).isEqualTo(100);
        assertThat(count("cost_usd IS NULL AND model_id = 'unpriced-model'")).isEqualTo(100);

        // The synchronous path prepares what it is given: an invalid row fails the call, naming the field.
        UsageMetric invalid = rows.get(0).toBuilder().eventId(new UUID(77, 1000)).metadata("{\"a\": ").build();
        assertThatThrownBy(() -> direct.recordAll(List.of(rows.get(1), invalid)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("metadata");
        // The prepared-rows view stores as given: the server refuses the row and the adapter marks it a data error
        // (poison), without core reading its SQLState.
        assertThatThrownBy(() -> direct.preparedRows().recordAll(List.of(invalid)))
                .isInstanceOfSatisfying(QueryException.class, e -> {
                    assertThat(e.isDataError()).isTrue();
                    assertThat(PoisonIsolation.isPoison(e)).isTrue();
                });
        assertThat(count()).isEqualTo(200);
    }

    @Test
    void aBadRowInABatchOfAThousandIsReportedAndTheOther999AreStored() {
        List<UsageMetric> rows = new ArrayList<>(UsageData.generate(1000, 1, 31));
        // Valid JSON, so it passes validation, but jsonb's numeric overflows (SQLState 22003). (\u0000 is now
        // rejected at admission, naming metadata.)
        UsageMetric poison = rows.get(617).toBuilder().metadata("{\"bad\": 1e200000}").build();
        rows.set(617, poison);
        List<UsageMetric> reported = new CopyOnWriteArrayList<>();
        TimescaleUsageWriter writer = pool.client(TimescaleUsageWriter.class).orElseThrow();
        try (BufferedUsageWriter buffer = BufferedUsageWriter.builder(writer).flushSize(1000)
                .flushInterval(Duration.ofHours(1)).admission(writer::prepare)
                .listener(new BufferedUsageWriter.Listener() {
                    @Override
                    public void onPoison(UsageMetric row, RuntimeException cause) {
                        reported.add(row);
                    }
                }).build()) {
            buffer.recordAll(rows);
            buffer.flush();
            assertThat(buffer.stats().poison()).isEqualTo(1);
            assertThat(buffer.stats().dropped()).isZero();
        }
        assertThat(reported).extracting(UsageMetric::eventId).containsExactly(poison.eventId());
        assertThat(count()).isEqualTo(999);
        assertThat(count("event_id = '" + poison.eventId() + "'")).isZero();
    }

    @Test
    void rowsSurviveRetryableFailuresAndAreStoredOnceTheDatabaseAnswersAgain() {
        // The real writer behind a switch that makes the first three writes fail as a lost connection would.
        TimescaleUsageWriter real = pool.client(TimescaleUsageWriter.class).orElseThrow();
        java.util.concurrent.atomic.AtomicInteger outages = new java.util.concurrent.atomic.AtomicInteger(3);
        io.llmstore.core.usage.UsageWriter flaky = new io.llmstore.core.usage.UsageWriter() {
            @Override
            public void record(UsageMetric metric) {
                recordAll(List.of(metric));
            }

            @Override
            public void recordAll(List<UsageMetric> metrics) {
                if (outages.getAndDecrement() > 0) {
                    throw new io.llmstore.core.error.ConnectionException("PostgreSQL connection lost (simulated)");
                }
                real.recordAll(metrics);
            }
        };
        List<UsageMetric> dropped = new CopyOnWriteArrayList<>();
        BufferedUsageWriter buffer = BufferedUsageWriter.builder(flaky).flushSize(10_000)
                .flushInterval(Duration.ofHours(1)).admission(real::prepare)
                .listener(new BufferedUsageWriter.Listener() {
                    @Override
                    public void onDropped(List<UsageMetric> rows, RuntimeException cause) {
                        dropped.addAll(rows);
                    }
                }).build();
        buffer.recordAll(UsageData.generate(500, 1, 81));
        assertThatThrownBy(buffer::flush).isInstanceOf(io.llmstore.core.error.ConnectionException.class);
        assertThat(buffer.stats().buffered()).as("held for a retry, not lost").isEqualTo(500);
        buffer.recordAll(UsageData.generate(300, 1, 82));
        assertThatThrownBy(buffer::flush).isInstanceOf(io.llmstore.core.error.ConnectionException.class);
        assertThatThrownBy(buffer::flush).isInstanceOf(io.llmstore.core.error.ConnectionException.class);
        assertThat(count()).isZero();
        buffer.flush(); // the database answers again
        assertThat(count()).isEqualTo(800);
        assertThat(buffer.stats().buffered()).isZero();
        // Rows still failing when the writer closes are reported as dropped, not silently lost.
        outages.set(Integer.MAX_VALUE);
        List<UsageMetric> last = UsageData.generate(7, 1, 83);
        buffer.recordAll(last);
        buffer.close();
        assertThat(dropped).containsExactlyElementsOf(last.stream().map(real::prepare).toList());
        assertThat(buffer.stats().dropped()).isEqualTo(7);
        assertThat(count()).isEqualTo(800);
    }

    @Test
    void aFullBufferRejectsWithBufferFullExceptionUnderTheRejectPolicy() {
        TimescaleUsageWriter writer = pool.client(TimescaleUsageWriter.class).orElseThrow();
        try (BufferedUsageWriter buffer = BufferedUsageWriter.builder(writer).capacity(20).flushSize(20)
                .flushInterval(Duration.ofHours(1)).whenFull(BufferedWriter.FullPolicy.REJECT, Duration.ZERO)
                .build()) {
            // The flusher may take the first 20 at once; keep offering until the buffer is full.
            List<UsageMetric> rows = UsageData.generate(5000, 1, 41);
            assertThatThrownBy(() -> rows.forEach(buffer::record))
                    .isInstanceOf(io.llmstore.core.error.BufferFullException.class)
                    .hasMessageContaining("USAGE_BUFFER_CAPACITY");
            assertThat(buffer.stats().buffered()).isLessThanOrEqualTo(20);
        }
    }

    @Test
    void rowsHeldForARetryCountAgainstTheCapacityAndStatsDoNotWaitForAWriteInProgress() throws Exception {
        // A database that is down: every write fails retryably, and the one in progress hangs until released.
        java.util.concurrent.CountDownLatch writing = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        io.llmstore.core.usage.UsageWriter down = new io.llmstore.core.usage.UsageWriter() {
            @Override
            public void record(UsageMetric metric) {
                recordAll(List.of(metric));
            }

            @Override
            public void recordAll(List<UsageMetric> metrics) {
                writing.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new io.llmstore.core.error.ConnectionException("PostgreSQL connection lost (simulated)");
            }
        };
        BufferedUsageWriter buffer = BufferedUsageWriter.builder(down).capacity(20).flushSize(10)
                .flushInterval(Duration.ofHours(1)).whenFull(BufferedWriter.FullPolicy.REJECT, Duration.ZERO)
                .build();
        try {
            List<UsageMetric> rows = UsageData.generate(100, 1, 91);
            int accepted = 0;
            for (UsageMetric row : rows) {
                try {
                    buffer.record(row);
                    accepted++;
                } catch (io.llmstore.core.error.BufferFullException e) {
                    // full: the batch being written still holds its places
                }
            }
            assertThat(writing.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(accepted).as("rows accepted while a batch of 10 is being written").isEqualTo(20);
            long start = System.nanoTime();
            assertThat(buffer.stats().buffered()).isEqualTo(20);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("stats() during a hung write")
                    .isLessThan(Duration.ofSeconds(1));
            release.countDown(); // the write fails; its batch is held for a retry and keeps its 10 places
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (buffer.stats().failures() == 0 && System.nanoTime() < deadline) {
                sleep(10);
            }
            assertThatThrownBy(() -> buffer.record(rows.get(99)))
                    .isInstanceOf(io.llmstore.core.error.BufferFullException.class);
            assertThat(buffer.stats().buffered()).isEqualTo(20);
        } finally {
            release.countDown();
            buffer.close();
        }
    }

    // ------------------------------------------------------------------ queries

    @Test
    void everyQueryMatchesAnIndependentlyComputedExpectation() {
        List<UsageMetric> rows = UsageData.generate(4000, 4, 51);
        pool.usage().recordAll(rows);
        UsageQueries q = pool.analytics();
        Instant end = UsageData.START.plus(Duration.ofDays(4));
        List<UsageFilter> filters = List.of(
                UsageFilter.between(UsageData.START, end),
                UsageFilter.between(UsageData.START.plus(Duration.ofHours(13)), UsageData.START.plus(Duration.ofHours(61))),
                UsageFilter.between(UsageData.START, end).withProvider("openai"),
                UsageFilter.between(UsageData.START, end).withModel("llama-3-70b").withEnvironment("prod"),
                UsageFilter.between(UsageData.START, end).withUser("u3").withApplication("chat"),
                UsageFilter.between(UsageData.START, end).withMinTokens(3000));
        for (UsageFilter f : filters) {
            List<UsageMetric> in = rows.stream().filter(f::matches).toList();
            assertThat(in).as("filter selects something: %s", f).isNotEmpty();
            assertThat(fmtModels(q.usageByModel(f))).as("usageByModel %s", f).containsExactlyElementsOf(expectModels(in));
            assertThat(fmtProviders(q.costByProvider(f))).as("costByProvider %s", f).containsExactlyElementsOf(expectProviders(in));
            assertThat(fmtErrors(q.errors(f))).as("errors %s", f).containsExactlyElementsOf(expectErrors(in));
            for (Duration width : List.of(Duration.ofHours(6), Duration.ofMinutes(90))) {
                assertBuckets("timeSeries " + width + " " + f, q.timeSeries(f, width), in, width);
            }
        }
        // Raw rows, paged by keyset, equal the expected rows in (time, event_id) order.
        UsageFilter paged = UsageFilter.between(UsageData.START, end).withEnvironment("prod").withMinTokens(1000);
        List<UsageMetric> expected = sorted(rows.stream().filter(paged::matches).toList());
        List<UsageMetric> got = new ArrayList<>();
        Optional<PageCursor> cursor = Optional.empty();
        int pages = 0;
        do {
            UsagePage page = q.rows(paged, cursor, 97);
            got.addAll(page.rows());
            cursor = page.next();
            pages++;
        } while (cursor.isPresent());
        assertThat(got).containsExactlyElementsOf(expected);
        assertThat(pages).isEqualTo((expected.size() + 96) / 97);
    }

    @Test
    void queriesAndSynchronousWritesWhoseConnectionsWereKilledAreRetriedOnFreshOnes() throws SQLException {
        // Its own application_name, so only this pool's backends are ended (other tests share the server). Each kill
        // follows a use within HikariCP's 500 ms alive-bypass window: the next call gets the dead connection unchecked,
        // so without DB_RETRY_* it fails (checked by running this with DB_RETRY_MAX_ATTEMPTS=1: ConnectionException).
        String app = "killed_" + schema;
        StoragePool p = open(Map.of("DB_APP_NAME", app, "DB_RETRY_MAX_ATTEMPTS", "4", "DB_RETRY_INITIAL_BACKOFF", "10ms"));
        List<UsageMetric> rows = UsageData.generate(300, 1, 97);
        p.usage().recordAll(rows);
        UsageFilter day = UsageFilter.between(UsageData.START, UsageData.START.plus(Duration.ofDays(1)));
        killBackendsOf(app);
        assertThat(fmtModels(p.analytics().usageByModel(day))).containsExactlyElementsOf(expectModels(rows));
        killBackendsOf(app);
        assertThat(p.analytics().rows(day, Optional.empty(), 1000).rows()).containsExactlyElementsOf(sorted(rows));
        killBackendsOf(app);
        List<UsageMetric> more = UsageData.generate(50, 1, 98);
        p.usage().recordAll(more);
        assertThat(count()).isEqualTo(350);
    }

    /** Ends every backend whose application_name is {@code app}, from a connection outside the pools. */
    private void killBackendsOf(String app) throws SQLException {
        PostgresServer s = server();
        try (Connection c = java.sql.DriverManager.getConnection(s.jdbcUrl(), s.user(), s.password());
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(pg_terminate_backend(pid))"
                     + " FROM pg_stat_activity WHERE application_name = '" + app + "'")) {
            rs.next();
            assertThat(rs.getInt(1)).as("backends of %s ended", app).isPositive();
        }
    }

    @Test
    void hourlyAndDailyRollupsMatchTheRawRowsAfterRefreshRollupsAndAgainAfterLateRows() {
        // Rows of March 2026, months old: on TimescaleDB their buckets are materialized (refreshRollups here; the
        // refresh policy within TIMESCALE_ROLLUP_REFRESH, proven in TimescaleUsageStoreTest); on PostgreSQL views.
        List<UsageMetric> rows = new ArrayList<>(UsageData.generate(3000, 4, 61));
        UsageQueries q = pool.analytics();
        UsageFilter hours = UsageFilter.between(UsageData.START.plus(Duration.ofHours(5)), UsageData.START.plus(Duration.ofHours(53)));
        UsageFilter days = UsageFilter.between(UsageData.START, UsageData.START.plus(Duration.ofDays(4)));
        UsageFilter anthropicDays = days.withProvider("anthropic");
        for (int pass = 0; pass < 2; pass++) {
            List<UsageMetric> batch = pass == 0 ? rows : UsageData.generate(500, 4, 62); // then late rows, same buckets
            pool.usage().recordAll(batch);
            if (pass == 1) {
                rows.addAll(batch);
            }
            q.refreshRollups(UsageData.START, UsageData.START.plus(Duration.ofDays(4)));
            assertBuckets("hourly, pass " + pass, q.hourly(hours), rows.stream().filter(hours::matches).toList(), Duration.ofHours(1));
            assertBuckets("daily, pass " + pass, q.daily(days), rows.stream().filter(days::matches).toList(), Duration.ofDays(1));
            assertBuckets("daily anthropic, pass " + pass, q.daily(anthropicDays),
                    rows.stream().filter(anthropicDays::matches).toList(), Duration.ofDays(1));
        }
        assertThatThrownBy(() -> q.hourly(hours.withUser("u1"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("timeSeries");
    }

    @Test
    void tokenSumsPastTheLongRangeFailNamingTheColumnInsteadOfWrappingNegative() {
        // Three rows of 2^62 tokens each: every sum is 3 * 2^62 > 2^63 - 1. PostgreSQL sums BIGINT as NUMERIC, exactly.
        long quarter = 1L << 62;
        List<UsageMetric> rows = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            rows.add(UsageMetric.builder().time(UsageData.START.plusSeconds(i)).model("gpt-4o").provider("openai")
                    .tokens(quarter, 0).build());
        }
        pool.usage().recordAll(rows);
        UsageQueries q = pool.analytics();
        UsageFilter window = UsageFilter.between(UsageData.START, UsageData.START.plus(Duration.ofDays(1)));
        String sum = "13835058055282163712"; // 3 * 2^62

        List<Runnable> queries = List.of(() -> q.usageByModel(window), () -> q.costByProvider(window),
                () -> q.timeSeries(window, Duration.ofHours(1)), () -> q.hourly(window), () -> q.daily(window));
        for (Runnable query : queries) {
            assertThatThrownBy(query::run)
                    .isInstanceOf(io.llmstore.core.error.QueryException.class)
                    .hasMessageContaining("is " + sum + ", beyond the result's 64-bit range (at most " + Long.MAX_VALUE + ")")
                    .hasMessageContaining("sum(token_");
        }
        q.refreshRollups(UsageData.START, UsageData.START.plus(Duration.ofDays(1)));
        assertThatThrownBy(() -> q.hourly(window)).as("materialized hourly rollup").hasMessageContaining("is " + sum);
        assertThatThrownBy(() -> q.daily(window)).as("materialized daily rollup").hasMessageContaining("is " + sum);
        // A window whose sum fits answers exactly.
        UsageFilter two = UsageFilter.between(UsageData.START, UsageData.START.plusSeconds(1));
        assertThat(q.usageByModel(two)).singleElement().satisfies(u -> assertThat(u.tokenInput()).isEqualTo(quarter));
    }

    @Test
    void theStreamColumnsOfSchemaV5RoundTripThroughCopyAndTheBatchedInsert() {
        UsageMetric reported = UsageMetric.builder().time(UsageData.START).model("gpt-4o").provider("openai")
                .tokens(120, 40).usageSource(io.llmstore.core.usage.UsageSource.REPORTED).timeToFirstTokenMs(231.5)
                .finishReason("stop").build();
        UsageMetric hit = UsageMetric.builder().time(UsageData.START.plusMillis(1)).model("gpt-4o").provider("openai")
                .tokens(120, 40).usageSource(io.llmstore.core.usage.UsageSource.CACHE_HIT).timeToFirstTokenMs(0.0)
                .finishReason("stop\ttab").costUsd(java.math.BigDecimal.ZERO).priceSource("cache")
                .costSavedUsd(new java.math.BigDecimal("0.000000000000000001")).build();
        UsageMetric plain = UsageMetric.builder().time(UsageData.START.plusMillis(2)).model("gpt-4o").provider("openai")
                .tokens(1, 1).build();
        UsageMetric estimated = UsageMetric.builder().time(UsageData.START.plusMillis(3)).model("gpt-4o")
                .provider("openai").tokens(7, 3).usageSource(io.llmstore.core.usage.UsageSource.ESTIMATED)
                .finishReason("cancelled").build();
        pool.usage().recordAll(List.of(reported, hit, plain));
        var insert = open(Map.of("DB_WRITE_MODE", "insert"));
        insert.usage().record(estimated);
        assertThat(allRows(UsageFilter.between(UsageData.START, UsageData.START.plusSeconds(1))))
                .containsExactly(reported, hit, plain, estimated);
        assertThat(count("usage_source = 'estimated' AND finish_reason = 'cancelled' AND time_to_first_token_ms IS NULL"))
                .isEqualTo(1);
    }

    @Test
    void aTimeWithNanosecondsIsTruncatedToMicrosecondsSoTheStoredRowReadsBackEqual() {
        // .1234567 would be rounded up by PostgreSQL to .123457; the metric keeps .123456, and so does the row.
        UsageMetric direct = UsageMetric.builder().time(UsageData.START.plusNanos(123_456_789)).model("gpt-4o")
                .provider("openai").tokens(10, 5).build();
        UsageMetric buffered = UsageMetric.builder().time(UsageData.START.plusNanos(223_456_700)).model("gpt-4o")
                .provider("openai").tokens(1, 1).build();
        assertThat(direct.time()).isEqualTo(UsageData.START.plusNanos(123_456_000));
        assertThat(buffered.time()).isEqualTo(UsageData.START.plusNanos(223_456_000));

        pool.usage().record(direct);
        pool.usage().buffered().record(buffered);
        pool.usage().buffered().flush();

        assertThat(allRows(UsageFilter.between(UsageData.START, UsageData.START.plusSeconds(1))))
                .containsExactly(direct, buffered);
    }

    @Test
    void anyResultExportsAsCsv() {
        pool.usage().recordAll(List.of(
                UsageMetric.builder().time(UsageData.START).model("gpt-4o").provider("openai").tokens(10, 5)
                        .costUsd(new BigDecimal("0.000123")).build(),
                UsageMetric.builder().time(UsageData.START).model("model, \"quoted\"").provider("openai").tokens(1, 1).build()));
        StringWriter out = new StringWriter();
        UsageCsv.write(pool.analytics().usageByModel(UsageFilter.between(UsageData.START, UsageData.START.plusSeconds(1))), out);
        assertThat(out.toString()).isEqualTo("modelId,requests,tokenInput,tokenOutput,tokenTotal,costUsd,"
                + "tokenCacheRead,tokenCacheWrite,tokenReasoning\r\n"
                + "gpt-4o,1,10,5,15,0.000123000000000000,0,0,0\r\n"
                + "\"model, \"\"quoted\"\"\",1,1,1,2,0,0,0,0\r\n");
    }

    // ------------------------------------------------------------------ exact costs, token classes, price source

    @Test
    void costsAreStoredExactlyToEighteenDecimalPlacesAndOverPrecisionIsRefusedNamingCostUsd() {
        // 0.1234567 was stored as 0.123457 by NUMERIC(10,6); one token of a cheap model (1e-8) as 0
        List<BigDecimal> costs = List.of(new BigDecimal("0.1234567"), new BigDecimal("0.00000001"),
                new BigDecimal("0.000000000000000001"), new BigDecimal("1234.123456789012345678"),
                new BigDecimal("9999999999.999999999999999999"), new BigDecimal("0.0075000"));
        List<UsageMetric> rows = new ArrayList<>();
        for (int i = 0; i < costs.size(); i++) {
            rows.add(UsageMetric.builder().eventId(new UUID(77, i)).time(UsageData.START.plusSeconds(i)).model("m")
                    .provider("p").tokens(1, 1).costUsd(costs.get(i)).build());
        }
        pool.usage().recordAll(rows);
        List<UsageMetric> back = allRows(UsageFilter.between(UsageData.START, UsageData.START.plusSeconds(60)));
        assertThat(back).extracting(UsageMetric::costUsd).usingElementComparator(BigDecimal::compareTo)
                .containsExactlyElementsOf(costs);
        assertThat(back).extracting(UsageMetric::priceSource).containsOnly("caller");
        BigDecimal sum = costs.stream().reduce(BigDecimal.ZERO, BigDecimal::add);
        UsageFilter window = UsageFilter.between(UsageData.START, UsageData.START.plusSeconds(60));
        assertThat(pool.analytics().usageByModel(window).get(0).costUsd()).isEqualByComparingTo(sum);
        assertThat(pool.analytics().costByProvider(window).get(0).costUsd()).isEqualByComparingTo(sum);
        assertThat(pool.analytics().hourly(window).get(0).costUsd()).isEqualByComparingTo(sum);
        assertThat(pool.analytics().daily(window).get(0).costUsd()).isEqualByComparingTo(sum);
        assertThat(pool.analytics().timeSeries(window, Duration.ofMinutes(1)).get(0).costUsd()).isEqualByComparingTo(sum);

        UsageMetric.Builder row = UsageMetric.builder().time(UsageData.START).model("m").provider("p").tokens(1, 1);
        assertThatThrownBy(() -> pool.usage().record(row.costUsd(new BigDecimal("0.0000000000000000001")).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("costUsd must have at most 18 decimal places (NUMERIC(28,18)), was 0.0000000000000000001");
        assertThatThrownBy(() -> row.costUsd(new BigDecimal("10000000000")).build())
                .hasMessage("costUsd must be <= 9999999999.999999999999999999 (NUMERIC(28,18)), was 10000000000");
        assertThat(count()).isEqualTo(costs.size());
    }

    @Test
    void filledCostsPriceCacheAndReasoningTokensExactlyAsThePriceCatalogDoes() {
        StoragePool filling = open(Map.of("USAGE_FILL_MISSING_COST", "true"));
        PriceCatalog catalog = PriceCatalog.bundled();
        List<UsageMetric> rows = List.of(
                // 10,000 input of which 6000 cache reads and 2000 cache writes: priced 1 / 0.1 / 1.25 per Mtok
                UsageMetric.builder().eventId(new UUID(88, 1)).time(UsageData.START).model("claude-haiku-4-5")
                        .provider("anthropic").tokens(10_000, 1000).cacheTokens(6000L, 2000L).build(),
                UsageMetric.builder().eventId(new UUID(88, 2)).time(UsageData.START.plusSeconds(1)).model("gpt-4o")
                        .provider("openai").tokens(5000, 300).cacheTokens(4096L, null).build(),
                UsageMetric.builder().eventId(new UUID(88, 3)).time(UsageData.START.plusSeconds(2)).model("o3-mini")
                        .provider("openai").tokens(75, 1186).reasoningTokens(1024L).build(),
                UsageMetric.builder().eventId(new UUID(88, 4)).time(UsageData.START.plusSeconds(3)).model("gpt-4o")
                        .provider("openai").tokens(5000, 300).costUsd(new BigDecimal("0.01")).build());
        filling.usage().recordAll(rows);
        List<UsageMetric> back = allRows(UsageFilter.between(UsageData.START, UsageData.START.plusSeconds(60)));
        assertThat(back).hasSize(4);
        for (int i = 0; i < 3; i++) {
            UsageMetric in = rows.get(i);
            UsageMetric stored = back.get(i);
            BigDecimal expected = catalog.cost(in.provider(), in.modelId(), in.tokenUsage(), in.time()).orElseThrow().total();
            assertThat(stored.costUsd()).as(in.modelId()).isEqualByComparingTo(expected);
            assertThat(stored.priceSource()).isEqualTo("@pydantic/genai-prices@0.1.8");
            assertThat(stored.tokenCacheRead()).isEqualTo(in.tokenCacheRead());
            assertThat(stored.tokenCacheWrite()).isEqualTo(in.tokenCacheWrite());
            assertThat(stored.tokenReasoning()).isEqualTo(in.tokenReasoning());
        }
        // cache tokens are not priced as full input any more: 0.0101, where input+output alone gave 0.015
        assertThat(back.get(0).costUsd()).isEqualByComparingTo("0.0101");
        assertThat(back.get(3).costUsd()).isEqualByComparingTo("0.01");
        assertThat(back.get(3).priceSource()).isEqualTo("caller");
        ModelUsage haiku = filling.analytics().usageByModel(UsageFilter.between(UsageData.START, UsageData.START.plusSeconds(60)))
                .stream().filter(m -> m.modelId().equals("claude-haiku-4-5")).findFirst().orElseThrow();
        assertThat(haiku.tokenCacheRead()).isEqualTo(6000);
        assertThat(haiku.tokenCacheWrite()).isEqualTo(2000);
    }

    @Test
    void aDatabaseCreatedBySchemaVersion3UpgradesInPlaceKeepingEveryRowAndRollup() throws SQLException, InterruptedException {
        try (Connection c = connection(); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
        }
        StoragePool old = open(Map.of("DB_MIGRATE_ON_START", "false"));
        String flavor = expectTimescale() ? PreviousReleaseMigrations.TIMESCALEDB : PreviousReleaseMigrations.POSTGRESQL;
        List<UsageMetric> rows = UsageData.generate(300, 3, 21);
        try (Connection c = dataSource(old).getConnection()) {
            c.setAutoCommit(true);
            // what the release before V4 did: its scripts V1..V3 (frozen copies), recorded in its history table
            try (Statement st = c.createStatement()) {
                st.execute("CREATE SCHEMA \"" + schema + "\"");
                st.execute("SET search_path TO \"" + schema + "\", public");
                st.execute("CREATE TABLE llmstore_schema_history (version INT PRIMARY KEY, description TEXT NOT NULL,"
                        + " flavor TEXT NOT NULL, script TEXT NOT NULL, checksum TEXT NOT NULL,"
                        + " installed_at TIMESTAMPTZ NOT NULL DEFAULT now(), execution_ms BIGINT NOT NULL)");
                for (PreviousReleaseMigrations.Migration m : PreviousReleaseMigrations.forFlavor(flavor)) {
                    if (m.version() > 3) {
                        continue;
                    }
                    for (String sql : m.statements()) {
                        st.execute(sql);
                    }
                    st.execute("INSERT INTO llmstore_schema_history (version, description, flavor, script, checksum,"
                            + " execution_ms) VALUES (" + m.version() + ", '" + m.description() + "', '" + flavor + "', '"
                            + m.file() + "', '" + m.checksum() + "', 1)");
                }
            }
            try (java.sql.PreparedStatement ps = c.prepareStatement("INSERT INTO llm_usage_metrics (time, model_id,"
                    + " provider, request_count, token_input, token_output, token_total, cost_usd, avg_latency_ms, error_count,"
                    + " success_count, user_id, application_id, environment, metadata, event_id)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?)")) {
                for (UsageMetric m : rows) {
                    ps.setObject(1, m.time().atOffset(java.time.ZoneOffset.UTC));
                    ps.setString(2, m.modelId());
                    ps.setString(3, m.provider());
                    ps.setLong(4, m.requestCount());
                    ps.setLong(5, m.tokenInput());
                    ps.setLong(6, m.tokenOutput());
                    ps.setLong(7, m.tokenTotal());
                    ps.setBigDecimal(8, m.costUsd() == null ? null : m.costUsd().setScale(6, java.math.RoundingMode.DOWN));
                    ps.setDouble(9, m.avgLatencyMs());
                    ps.setLong(10, m.errorCount());
                    ps.setLong(11, m.successCount());
                    ps.setString(12, m.userId());
                    ps.setString(13, m.applicationId());
                    ps.setString(14, m.environment());
                    ps.setString(15, m.metadata());
                    ps.setObject(16, m.eventId());
                    ps.executeUpdate();
                }
            }
            if (expectTimescale()) {
                // materialize, so the upgrade must carry real aggregate data (V3's policies run once at creation)
                refreshWaitingOutPolicies(c, "llm_usage_hourly");
                refreshWaitingOutPolicies(c, "llm_usage_daily");
            }
        }
        List<String> rowsBefore = snapshot(old, "SELECT event_id, time, model_id, provider, request_count, token_input,"
                + " token_output, token_total, cost_usd, avg_latency_ms, error_count, success_count, user_id, application_id,"
                + " environment, metadata::text FROM llm_usage_metrics ORDER BY event_id");
        String rollup = " bucket, model_id, provider, request_count, token_input, token_output, token_total, cost_usd,"
                + " latency_ms_sum, error_count, success_count FROM ";
        List<String> hourlyBefore = snapshot(old, "SELECT" + rollup + "llm_usage_hourly ORDER BY 1, 2, 3");
        List<String> dailyBefore = snapshot(old, "SELECT" + rollup + "llm_usage_daily ORDER BY 1, 2, 3");
        assertThat(rowsBefore).hasSize(300);

        MigrationResult upgrade = old.usage().migrate();
        assertThat(upgrade.applied()).containsExactly(4, 5);
        assertThat(upgrade.current()).isEqualTo(5);
        assertThat(snapshot(old, "SELECT event_id, time, model_id, provider, request_count, token_input,"
                + " token_output, token_total, cost_usd, avg_latency_ms, error_count, success_count, user_id, application_id,"
                + " environment, metadata::text FROM llm_usage_metrics ORDER BY event_id")).containsExactlyElementsOf(rowsBefore);
        assertThat(snapshot(old, "SELECT" + rollup + "llm_usage_hourly ORDER BY 1, 2, 3")).containsExactlyElementsOf(hourlyBefore);
        assertThat(snapshot(old, "SELECT" + rollup + "llm_usage_daily ORDER BY 1, 2, 3")).containsExactlyElementsOf(dailyBefore);
        assertThat(count("token_cache_read IS NULL AND token_cache_write IS NULL AND token_reasoning IS NULL"
                + " AND price_source IS NULL")).isEqualTo(300);
        // old rows read back with their cost and an 'unknown' price source; new rows carry every class
        List<UsageMetric> back = allRows(UsageFilter.between(UsageData.START, UsageData.START.plus(Duration.ofDays(4))));
        assertThat(back).filteredOn(m -> m.costUsd() != null).extracting(UsageMetric::priceSource).containsOnly("unknown");
        UsageMetric fresh = UsageMetric.builder().time(UsageData.START.plus(Duration.ofDays(5))).model("gpt-4o")
                .provider("openai").tokens(100, 50).cacheTokens(40L, 10L).reasoningTokens(20L)
                .costUsd(new BigDecimal("0.000000000000000001")).build();
        old.usage().record(fresh);
        assertThat(allRows(UsageFilter.between(fresh.time(), fresh.time().plusSeconds(1)))).containsExactly(fresh);
    }

    /** Each row of {@code sql} as text, with decimals compared by value (the column's scale widened in V4). */
    static List<String> snapshot(StoragePool p, String sql) {
        List<String> out = new ArrayList<>();
        try (Connection c = dataSource(p).getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder line = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    Object v = rs.getObject(i);
                    // a float sum may differ in its last bit when the rewritten table is scanned in another order
                    line.append(v instanceof BigDecimal d ? money(d) : v instanceof Double x
                            ? String.format(Locale.ROOT, "%.6f", x) : String.valueOf(v)).append('|');
                }
                out.add(line.toString());
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    // ------------------------------------------------------------------ expectations, computed in Java

    static List<UsageMetric> sorted(List<UsageMetric> rows) {
        return rows.stream().sorted(Comparator.comparing(UsageMetric::time).thenComparing(UsageMetric::eventId)).toList();
    }

    List<UsageMetric> allRows(UsageFilter f) {
        List<UsageMetric> all = new ArrayList<>();
        Optional<PageCursor> cursor = Optional.empty();
        do {
            UsagePage page = pool.analytics().rows(f, cursor, 10_000);
            all.addAll(page.rows());
            cursor = page.next();
        } while (cursor.isPresent());
        return all;
    }

    static String money(BigDecimal d) {
        return d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString();
    }

    static BigDecimal cost(List<UsageMetric> rows) {
        return rows.stream().map(m -> m.costUsd() == null ? BigDecimal.ZERO : m.costUsd()).reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    static long sum(List<UsageMetric> rows, Function<UsageMetric, Long> f) {
        return rows.stream().mapToLong(f::apply).sum();
    }

    static List<String> fmtModels(List<ModelUsage> list) {
        return list.stream().map(m -> m.modelId() + " r=" + m.requests() + " in=" + m.tokenInput() + " out=" + m.tokenOutput()
                + " total=" + m.tokenTotal() + " $" + money(m.costUsd()) + " cache=" + m.tokenCacheRead() + "/"
                + m.tokenCacheWrite() + " reasoning=" + m.tokenReasoning()).toList();
    }

    static List<String> expectModels(List<UsageMetric> in) {
        Map<String, List<UsageMetric>> by = in.stream().collect(Collectors.groupingBy(UsageMetric::modelId));
        return fmtModels(by.entrySet().stream()
                .map(e -> new ModelUsage(e.getKey(), sum(e.getValue(), UsageMetric::requestCount),
                        sum(e.getValue(), UsageMetric::tokenInput), sum(e.getValue(), UsageMetric::tokenOutput),
                        sum(e.getValue(), UsageMetric::tokenTotal), cost(e.getValue()),
                        sum(e.getValue(), m -> m.tokenCacheRead() == null ? 0L : m.tokenCacheRead()),
                        sum(e.getValue(), m -> m.tokenCacheWrite() == null ? 0L : m.tokenCacheWrite()),
                        sum(e.getValue(), m -> m.tokenReasoning() == null ? 0L : m.tokenReasoning())))
                .sorted(Comparator.comparing(ModelUsage::costUsd).reversed().thenComparing(ModelUsage::modelId)).toList());
    }

    static List<String> fmtProviders(List<ProviderCost> list) {
        return list.stream().map(p -> p.provider() + " r=" + p.requests() + " total=" + p.tokenTotal() + " $" + money(p.costUsd())).toList();
    }

    static List<String> expectProviders(List<UsageMetric> in) {
        Map<String, List<UsageMetric>> by = in.stream().collect(Collectors.groupingBy(UsageMetric::provider));
        return fmtProviders(by.entrySet().stream()
                .map(e -> new ProviderCost(e.getKey(), sum(e.getValue(), UsageMetric::requestCount),
                        sum(e.getValue(), UsageMetric::tokenTotal), cost(e.getValue())))
                .sorted(Comparator.comparing(ProviderCost::costUsd).reversed().thenComparing(ProviderCost::provider)).toList());
    }

    static List<String> fmtErrors(List<ErrorSummary> list) {
        return list.stream().map(e -> e.provider() + "/" + e.modelId() + " r=" + e.requests() + " e=" + e.errors()
                + " s=" + e.successes() + String.format(Locale.ROOT, " rate=%.6f", e.errorRate())).toList();
    }

    static List<String> expectErrors(List<UsageMetric> in) {
        Map<List<String>, List<UsageMetric>> by = in.stream().collect(Collectors.groupingBy(m -> List.of(m.provider(), m.modelId())));
        return fmtErrors(by.entrySet().stream()
                .map(e -> {
                    long r = sum(e.getValue(), UsageMetric::requestCount);
                    long err = sum(e.getValue(), UsageMetric::errorCount);
                    return new ErrorSummary(e.getKey().get(0), e.getKey().get(1), r, err,
                            sum(e.getValue(), UsageMetric::successCount), r == 0 ? 0 : (double) err / r);
                })
                .sorted(Comparator.comparingLong(ErrorSummary::errors).reversed()
                        .thenComparing(ErrorSummary::provider).thenComparing(ErrorSummary::modelId)).toList());
    }

    static List<String> fmtBuckets(List<UsageBucket> list) {
        return list.stream().map(b -> b.bucketStart() + " " + b.modelId() + " r=" + b.requests() + " t=" + b.tokenTotal()
                + " $" + money(b.costUsd()) + " e=" + b.errors()).toList();
    }

    /** Buckets equal the expectation exactly, and latencies within floating-point summation error. */
    static void assertBuckets(String what, List<UsageBucket> actual, List<UsageMetric> in, Duration width) {
        List<UsageBucket> expected = expectBucketList(in, width);
        assertThat(fmtBuckets(actual)).as(what).containsExactlyElementsOf(fmtBuckets(expected));
        for (int i = 0; i < expected.size(); i++) {
            assertThat(actual.get(i).avgLatencyMs()).as(what + " latency of " + expected.get(i))
                    .isCloseTo(expected.get(i).avgLatencyMs(), org.assertj.core.data.Offset.offset(1e-6));
        }
    }

    static Instant bucketOf(Instant t, Duration width) {
        long w = width.toSeconds();
        return ORIGIN.plusSeconds(Math.floorDiv(t.getEpochSecond() - ORIGIN.getEpochSecond(), w) * w);
    }

    static List<UsageBucket> expectBucketList(List<UsageMetric> in, Duration width) {
        Map<Instant, Map<String, List<UsageMetric>>> by = new TreeMap<>();
        for (UsageMetric m : in) {
            by.computeIfAbsent(bucketOf(m.time(), width), k -> new TreeMap<>())
                    .computeIfAbsent(m.modelId(), k -> new ArrayList<>()).add(m);
        }
        List<UsageBucket> out = new ArrayList<>();
        by.forEach((bucket, models) -> models.forEach((model, ms) -> {
            long r = sum(ms, UsageMetric::requestCount);
            double lat = ms.stream().mapToDouble(m -> m.avgLatencyMs() * m.requestCount()).sum();
            out.add(new UsageBucket(bucket, model, r, sum(ms, UsageMetric::tokenTotal), cost(ms), r == 0 ? 0 : lat / r,
                    sum(ms, UsageMetric::errorCount)));
        }));
        return out;
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static Map<String, String> map(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    /** A full refresh that waits while a policy run holds the same rollup (TimescaleDB refuses with 55P03). */
    static void refreshWaitingOutPolicies(Connection c, String view) throws SQLException, InterruptedException {
        for (int attempt = 0; ; attempt++) {
            try (Statement st = c.createStatement()) {
                st.execute("CALL refresh_continuous_aggregate('" + view + "', NULL, NULL)");
                return;
            } catch (SQLException e) {
                if (!"55P03".equals(e.getSQLState()) || attempt == 300) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    // ------------------------------------------------------------------ durable spool

    @Test
    void aSpoolLeftByAWriterThatNeverReachedTheDatabaseIsReplayedAndEachRowStoredOnce(@TempDir Path spoolRoot)
            throws SQLException {
        List<UsageMetric> rows = UsageData.generate(3_000, 2, 26);
        // Given the first 1,000 rows were stored before the writer died (a kill comes before the spool's trim),
        pool.usage().recordAll(rows.subList(0, 1_000));
        // and a spool holding all 3,000, written by a buffered writer whose database never answered.
        BufferedUsageWriter dead = BufferedUsageWriter.builder(new UsageWriter() {
            @Override
            public void record(UsageMetric metric) {
                recordAll(List.of(metric));
            }

            @Override
            public void recordAll(List<UsageMetric> metrics) {
                throw new ConnectionException("the database never answered");
            }
        }).spool(SpoolSettings.of(spoolRoot.resolve("usage"))).shutdownFlushTimeout(Duration.ZERO).build();
        dead.recordAll(rows);
        dead.close();

        // When a pool opens that SPOOL_DIR,
        StoragePool replaying = open(Map.of("SPOOL_DIR", spoolRoot.toString()));
        assertThat(replaying.usage().buffered().spoolStats().orElseThrow().recovered()).isEqualTo(3_000);
        replaying.usage().buffered().flush();

        // then every row is stored once, with its values.
        assertThat(count()).isEqualTo(3_000);
        assertThat(count("event_id IN (SELECT event_id FROM llm_usage_metrics GROUP BY event_id HAVING count(*) > 1)"))
                .isZero();
        long tokens = rows.stream().mapToLong(UsageMetric::tokenTotal).sum();
        BigDecimal cost = rows.stream().map(UsageMetric::costUsd).filter(java.util.Objects::nonNull)
                .reduce(BigDecimal.ZERO, BigDecimal::add);
        try (Connection c = connection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT sum(token_total), sum(cost_usd) FROM llm_usage_metrics")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(tokens);
            assertThat(rs.getBigDecimal(2)).isEqualByComparingTo(cost);
        }
        assertThat(replaying.usage().buffered().spoolStats().orElseThrow().pending()).isZero();
    }
}
