package io.llmstore.timescale.operation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.llmstore.core.StoragePool;
import io.llmstore.core.buffer.BufferedWriter;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.error.ConnectionException;
import io.llmstore.core.error.QueryException;
import io.llmstore.core.export.Csv;
import io.llmstore.core.export.Parquet;
import io.llmstore.core.operation.ErrorSummary;
import io.llmstore.core.operation.LlmSession;
import io.llmstore.core.operation.Operation;
import io.llmstore.core.operation.OperationCursor;
import io.llmstore.core.operation.OperationFilter;
import io.llmstore.core.operation.OperationMessage;
import io.llmstore.core.operation.OperationPage;
import io.llmstore.core.operation.OperationWithMessages;
import io.llmstore.core.operation.Operations;
import io.llmstore.core.operation.ProviderCostSummary;
import io.llmstore.core.operation.SessionSummary;
import io.llmstore.core.price.PriceCatalog;
import io.llmstore.core.price.TokenUsage;
import io.llmstore.core.retry.RetryPolicy;
import io.llmstore.testkit.PostgresServer;
import io.llmstore.testkit.Schemas;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the operation store promises, proven on a real server: {@link PostgresOperationStoreTest} runs it on
 * PostgreSQL 15, {@link TimescaleOperationStoreTest} on TimescaleDB 2.28. Expected answers come from Java over the
 * generated data and from this test's own SQL. Each test owns a fresh schema.
 */
abstract class OperationStoreContract {
    private static final PriceCatalog CATALOG = PriceCatalog.bundled();

    protected String schema;
    protected StoragePool pool;
    protected Operations ops;

    @TempDir
    Path dir;

    abstract PostgresServer server();

    @BeforeEach
    void openPoolOnFreshSchema() {
        schema = "op_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        pool = StoragePool.create(StorageConfig.builder()
                .databaseUrl(server().databaseUrl())
                .poolMaxConnections(Math.min(4, server().maxConnections()))
                .poolMinConnections(1)
                .retryMaxAttempts(2)
                .set("DB_SCHEMA", schema)
                .set("DB_MIGRATE_ON_START", "true")
                .build());
        ops = pool.operations();
    }

    @AfterEach
    void dropSchemaAndClose() throws SQLException {
        try (Connection c = connection(); Statement st = c.createStatement()) {
            Schemas.drop(c, schema);
        } finally {
            pool.close();
        }
    }

    Connection connection() throws SQLException {
        return pool.client(DataSource.class).orElseThrow().getConnection();
    }

    // ------------------------------------------------------------------ sessions

    @Test
    void ensureSessionStoresASessionOnceAndKeepsTheFirst() {
        LlmSession s = new LlmSession(UUID.randomUUID(), "research", "planner", OperationData.START,
                Map.of("team", "blue", "depth", 3));
        assertThat(ops.ensureSession(s)).isTrue();
        assertThat(ops.ensureSession(new LlmSession(s.sessionId(), "other", "other", Instant.now(), Map.of()))).isFalse();
        assertThat(ops.session(s.sessionId())).contains(s);
        assertThat(ops.session(UUID.randomUUID())).isEmpty();
    }

    // ------------------------------------------------------------------ recording

    @Test
    void anOperationIsStoredWithItsMessagesOnceAndAReplayStoresNothing() throws SQLException {
        OperationData d = seed(3, 40, 11);
        for (OperationWithMessages o : d.operations) {
            assertThat(ops.record(o)).as("a replay of %s", o.operation().operationId()).isFalse();
        }
        assertThat(countRows("llm_operations")).isEqualTo(40);
        assertThat(countRows("llm_messages")).isEqualTo(120);
        OperationWithMessages first = d.operations.get(0);
        // Same id, other messages: nothing of the replay is stored.
        assertThat(ops.record(first.operation(), List.of(OperationMessage.of("user", "other", 9)))).isFalse();
        assertThat(ops.messages(first.operation().operationId())).containsExactlyElementsOf(first.messages());
    }

    @Test
    void eightThreadsRecordingTheSameOperationAtOnceStoreItOnceAndExactlyOneIsTold() throws Exception {
        LlmSession s = LlmSession.of(UUID.randomUUID(), "research", "planner", OperationData.START);
        OperationWithMessages o = new OperationWithMessages(Operation.builder(s.sessionId()).timestamp(OperationData.START)
                .provider("openai").model("gpt-4o").tokens(5, 5).build(),
                List.of(OperationMessage.of("user", "q", 0), OperationMessage.of("assistant", "a", 1)));
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<Boolean>> sessions = new ArrayList<>();
            List<java.util.concurrent.Future<Boolean>> records = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                sessions.add(threads.submit(() -> {
                    go.await();
                    return ops.ensureSession(s);
                }));
            }
            go.countDown();
            long created = 0;
            for (var f : sessions) {
                created += f.get(30, TimeUnit.SECONDS) ? 1 : 0;
            }
            assertThat(created).as("calls told they created the session").isEqualTo(1);
            java.util.concurrent.CountDownLatch go2 = new java.util.concurrent.CountDownLatch(1);
            for (int i = 0; i < 8; i++) {
                records.add(threads.submit(() -> {
                    go2.await();
                    return ops.record(o);
                }));
            }
            go2.countDown();
            long stored = 0;
            for (var f : records) {
                stored += f.get(30, TimeUnit.SECONDS) ? 1 : 0;
            }
            assertThat(stored).as("calls told they stored the operation").isEqualTo(1);
        } finally {
            threads.shutdownNow();
        }
        assertThat(countRows("llm_sessions")).isEqualTo(1);
        assertThat(countRows("llm_operations")).isEqualTo(1);
        assertThat(ops.messages(o.operation().operationId())).containsExactlyElementsOf(o.messages());
    }

    @Test
    void anOperationOfAnUnknownSessionIsRefusedNamingTheSessionAndNothingIsStored() throws SQLException {
        UUID unknown = UUID.randomUUID();
        Operation o = Operation.builder(unknown).timestamp(OperationData.START).provider("openai").model("gpt-4o")
                .tokens(10, 5).build();
        assertThatThrownBy(() -> ops.record(o, List.of(OperationMessage.of("user", "hi", 0))))
                .isInstanceOf(QueryException.class)
                .hasMessageContaining(unknown.toString())
                .hasMessageContaining("ensureSession")
                .matches(e -> ((QueryException) e).isDataError());
        assertThat(countRows("llm_operations")).isZero();
        assertThat(countRows("llm_messages")).isZero();
    }

    @Test
    void aDuplicateSequenceNumberIsRefusedNamingItBeforeAnythingIsStored() throws SQLException {
        LlmSession s = session();
        Operation o = Operation.builder(s.sessionId()).timestamp(OperationData.START).provider("openai").model("gpt-4o").build();
        assertThatThrownBy(() -> ops.record(o, List.of(OperationMessage.of("user", "a", 0),
                OperationMessage.of("assistant", "b", 1), OperationMessage.of("user", "c", 1))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sequenceNumber 1 appears twice")
                .hasMessageContaining(o.operationId().toString());
        assertThat(countRows("llm_operations")).isZero();
        // The database refuses it as well, naming the constraint, for rows written around the library.
        try (Connection c = connection(); Statement st = c.createStatement()) {
            ops.record(o, List.of(OperationMessage.of("user", "a", 0)));
            assertThatThrownBy(() -> st.execute("INSERT INTO llm_messages VALUES (gen_random_uuid(), '"
                    + o.operationId() + "', 'user', 'again', 0)"))
                    .hasMessageContaining("llm_messages_sequence_uq").hasMessageContaining("(operation_id, sequence_number)");
        }
    }

    @Test
    void contentOfAnyUnicodeAndAnySizeIsStoredVerbatim() throws Exception {
        LlmSession s = session();
        StringBuilder huge = new StringBuilder();
        String alphabet = "aé€😀𝄞\u200d\u202eשלום مرحبا 漢字\t\r\n\"',;\\";
        for (int i = 0; huge.length() < 12_000_000; i++) {
            huge.append(alphabet).append(i);
        }
        List<OperationMessage> messages = List.of(
                OperationMessage.of("user", "", 0),
                OperationMessage.of("user", "👩‍👩‍👧‍👦 e\u0301 \uFEFF \uFFFF 𝟘 \u0007 ok", 1),
                OperationMessage.of("assistant", huge.toString(), 2));
        Operation o = Operation.builder(s.sessionId()).timestamp(OperationData.START).provider("openai").model("gpt-4o")
                .errorMessage("😀 \"quoted\", comma").status(Operation.ERROR).build();
        assertThat(ops.record(o, messages)).isTrue();
        assertThat(ops.messages(o.operationId())).containsExactlyElementsOf(messages);
        // The server's own view: byte length and digest of the UTF-8 it stores.
        try (Connection c = connection(); PreparedStatement ps = c.prepareStatement(
                "SELECT octet_length(content), md5(content) FROM llm_messages WHERE operation_id = ? ORDER BY sequence_number")) {
            ps.setObject(1, o.operationId());
            ResultSet rs = ps.executeQuery();
            for (OperationMessage m : messages) {
                assertThat(rs.next()).isTrue();
                byte[] utf8 = m.content().getBytes(StandardCharsets.UTF_8);
                assertThat(rs.getLong(1)).isEqualTo(utf8.length);
                assertThat(rs.getString(2)).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(utf8)));
            }
        }
        assertThat(ops.fetchAll(OperationFilter.all()).get(0).errorMessage()).isEqualTo("😀 \"quoted\", comma");
    }

    @Test
    void textPostgresCannotStoreVerbatimIsRefusedNamingTheFieldAndPlace() {
        assertThatThrownBy(() -> OperationMessage.of("user", "abc\u0000def", 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("content of message 3")
                .hasMessageContaining("U+0000").hasMessageContaining("index 3");
        assertThatThrownBy(() -> OperationMessage.of("user", "x\uD83D", 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lone surrogate")
                .hasMessageContaining("U+D83D");
        assertThatThrownBy(() -> Operation.builder(UUID.randomUUID()).timestamp(Instant.now()).provider("openai")
                .model("gpt-4o").tokens(-3, 0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("inputTokens must be >= 0, was -3");
        assertThatThrownBy(() -> Operation.builder(UUID.randomUUID()).timestamp(Instant.now()).provider("openai")
                .model("gpt-4o").cost(new BigDecimal("0.0000000000000000001")).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 18 decimal places");
    }

    @Test
    void aCostLeftOutIsPricedFromTheCatalogAndAnUnpricedModelKeepsNone() {
        LlmSession s = session();
        Operation priced = Operation.builder(s.sessionId()).timestamp(OperationData.START).provider("openai")
                .model("gpt-4o").tokens(1_000_000, 100_000).build();
        Operation unpriced = Operation.builder(s.sessionId()).timestamp(OperationData.START.plusSeconds(1))
                .provider("nobody").model("no-such-model").tokens(10, 10).build();
        ops.record(priced, List.of());
        ops.record(unpriced, List.of());
        BigDecimal expected = CATALOG.cost("openai", "gpt-4o", TokenUsage.of(1_000_000, 100_000), OperationData.START)
                .orElseThrow().total();
        List<Operation> back = ops.fetchAll(OperationFilter.all());
        assertThat(back.get(0).cost()).isPositive().isEqualByComparingTo(expected);
        assertThat(back.get(1).cost()).isNull();
    }

    @Test
    void aConnectionKilledMidTransactionLeavesNoHalfWrittenOperation() throws Exception {
        LlmSession s = session();
        OperationWithMessages o = new OperationWithMessages(Operation.builder(s.sessionId()).timestamp(OperationData.START)
                .provider("openai").model("gpt-4o").tokens(1, 1).build(),
                List.of(OperationMessage.of("user", "q", 0), OperationMessage.of("assistant", "a", 1),
                        OperationMessage.of("user", "q2", 2)));
        // Without retry, so the killed attempt's outcome is what the caller sees.
        TimescaleOperations direct = new TimescaleOperations(DSL.using(pool.client(DataSource.class).orElseThrow(),
                SQLDialect.POSTGRES), CATALOG, RetryPolicy.none());
        try (Connection locker = connection(); Statement st = locker.createStatement()) {
            // Hold llm_messages: the writer inserts its operation row, then waits inside its transaction.
            locker.setAutoCommit(false);
            st.execute("LOCK TABLE llm_messages IN EXCLUSIVE MODE");
            CompletableFuture<Boolean> write = CompletableFuture.supplyAsync(() -> direct.record(o));
            int[] pid = new int[1];
            await().atMost(Duration.ofSeconds(20)).until(() -> (pid[0] = writerWaitingOnMessages()) != 0);
            try (Connection killer = connection(); Statement k = killer.createStatement()) {
                k.execute("SELECT pg_terminate_backend(" + pid[0] + ")");
            }
            assertThatThrownBy(() -> write.get(20, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(ConnectionException.class);
            locker.commit();
        } finally {
            direct.close();
        }
        assertThat(countRows("llm_operations")).as("the operation row of the killed transaction").isZero();
        assertThat(countRows("llm_messages")).isZero();
        // The caller's retry stores it whole, once.
        assertThat(ops.record(o)).isTrue();
        assertThat(ops.messages(o.operation().operationId())).containsExactlyElementsOf(o.messages());
        assertThat(countRows("llm_operations")).isEqualTo(1);
    }

    /** The pid of a backend of this test's schema whose INSERT into llm_messages waits on a lock, else 0. */
    private int writerWaitingOnMessages() throws SQLException {
        try (Connection c = connection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE 'insert into llm_messages%'"
                        + " AND state = 'active'")) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    // ------------------------------------------------------------------ async

    @Test
    void bufferedOperationsAreStoredInBatchesOnceAndAPoisonOperationIsIsolated() throws SQLException {
        OperationData d = OperationData.generate(4, 1200, 21);
        d.sessions.forEach(ops::ensureSession);
        List<OperationWithMessages> poisoned = new CopyOnWriteArrayList<>();
        BufferedWriter<OperationWithMessages> buffered = ops.buffered();
        buffered.setListener(new BufferedWriter.Listener<>() {
            @Override
            public void onPoison(OperationWithMessages row, RuntimeException cause) {
                poisoned.add(row);
            }

            @Override
            public void onDropped(List<OperationWithMessages> rows, RuntimeException cause) {
            }
        });
        OperationWithMessages orphan = new OperationWithMessages(Operation.builder(UUID.randomUUID())
                .timestamp(OperationData.START).provider("openai").model("gpt-4o").build(), List.of());
        List<OperationWithMessages> all = new ArrayList<>(d.operations);
        all.add(600, orphan);
        buffered.recordAll(all);
        buffered.recordAll(d.operations.subList(0, 300)); // replayed: stored once
        pool.flush();
        assertThat(countRows("llm_operations")).isEqualTo(1200);
        assertThat(countRows("llm_messages")).isEqualTo(3600);
        assertThat(poisoned).containsExactly(orphan);
        assertThat(ops.fetchAll(OperationFilter.all())).containsExactlyElementsOf(expectedRows(d, OperationFilter.all()));
    }

    @Test
    void closingThePoolStoresWhatWasBufferedWithoutAFlush() throws SQLException {
        LlmSession s = session();
        try (StoragePool second = StoragePool.create(StorageConfig.builder().databaseUrl(server().databaseUrl())
                .poolMaxConnections(2).poolMinConnections(1).set("DB_SCHEMA", schema).build())) {
            for (int i = 0; i < 50; i++) {
                OperationWithMessages o = new OperationWithMessages(Operation.builder(s.sessionId())
                        .timestamp(OperationData.START.plusSeconds(i)).provider("openai").model("gpt-4o").build(),
                        List.of(OperationMessage.of("user", "m" + i, 0)));
                second.operations().buffered().record(o);
            }
        } // close(): the buffer is written before the pool's connections go
        assertThat(countRows("llm_operations")).isEqualTo(50);
        assertThat(countRows("llm_messages")).isEqualTo(50);
    }

    // ------------------------------------------------------------------ queries

    @Test
    void theFilteredFetchPagesThroughExactlyTheOperationsEachFilterSelects() {
        OperationData d = seed(6, 500, 31);
        UUID someSession = d.sessions.get(2).sessionId();
        List<OperationFilter> filters = List.of(
                OperationFilter.all(),
                OperationFilter.between(OperationData.START.plus(Duration.ofHours(5)), OperationData.START.plus(Duration.ofHours(30))),
                OperationFilter.all().withProvider("openai"),
                OperationFilter.all().withProvider("openai").withModel("gpt-4o-mini").withMinTokens(3000),
                OperationFilter.all().withSession(someSession),
                OperationFilter.all().withWorkspace("support").withAgent("writer"),
                OperationFilter.all().withStatus(Operation.ERROR).withFrom(OperationData.START.plus(Duration.ofHours(12))),
                OperationFilter.all().withAgent("no-such-agent"));
        for (OperationFilter f : filters) {
            List<Operation> paged = new ArrayList<>();
            Optional<OperationCursor> cursor = Optional.empty();
            int pages = 0;
            do {
                OperationPage page = ops.fetch(f, cursor, 37);
                assertThat(page.operations().size()).isLessThanOrEqualTo(37);
                paged.addAll(page.operations());
                cursor = page.next();
                pages++;
            } while (cursor.isPresent());
            List<Operation> expected = expectedRows(d, f);
            assertThat(paged).as("filter %s", f).containsExactlyElementsOf(expected);
            assertThat(pages).isEqualTo(Math.max(1, (expected.size() + 36) / 37));
        }
        assertThat(filters.stream().mapToInt(f -> expectedRows(d, f).size()).min().orElseThrow()).isZero();
        assertThatThrownBy(() -> ops.fetch(OperationFilter.all(), Optional.empty(), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("limit must be between 1 and 10000, was 0");
    }

    @Test
    void theCostSessionAndErrorAnalysesMatchJavaAndThisTestsOwnSql() throws SQLException {
        OperationData d = seed(7, 600, 41);
        for (OperationFilter f : List.of(OperationFilter.all(), OperationFilter.all().withWorkspace("research"),
                OperationFilter.between(OperationData.START, OperationData.START.plus(Duration.ofHours(20))).withMinTokens(1000))) {
            List<Operation> rows = expectedRows(d, f);
            // cost by provider
            Map<String, List<Operation>> byProvider = rows.stream().collect(Collectors.groupingBy(Operation::provider, TreeMap::new, Collectors.toList()));
            List<ProviderCostSummary> costs = ops.costByProvider(f);
            assertThat(costs).extracting(ProviderCostSummary::provider).containsExactlyInAnyOrderElementsOf(byProvider.keySet());
            for (ProviderCostSummary c : costs) {
                List<Operation> group = byProvider.get(c.provider());
                assertThat(c.totalCost()).isEqualByComparingTo(sumCost(group));
                assertThat(c.requestCount()).isEqualTo(group.size());
                assertThat(c.averageLatencyMs()).isCloseTo(group.stream().filter(o -> o.latencyMs() != null)
                        .mapToLong(Operation::latencyMs).average().orElseThrow(), within(1e-9));
            }
            assertThat(costs).isSortedAccordingTo(Comparator.comparing(ProviderCostSummary::totalCost).reversed());
            // sessions
            Map<String, List<Operation>> byAgent = rows.stream().collect(Collectors.groupingBy(
                    o -> d.sessionOf.get(o.operationId()).workspace() + "/" + d.sessionOf.get(o.operationId()).agentId()));
            List<SessionSummary> sessions = ops.sessionAnalysis(f);
            assertThat(sessions).hasSize(byAgent.size());
            for (SessionSummary s : sessions) {
                List<Operation> group = byAgent.get(s.workspace() + "/" + s.agentId());
                assertThat(s.operationCount()).isEqualTo(group.size());
                assertThat(s.sessionCount()).isEqualTo(group.stream().map(Operation::sessionId).distinct().count());
                assertThat(s.totalCost()).isEqualByComparingTo(sumCost(group));
            }
            // errors
            Map<List<String>, Long> byError = rows.stream().filter(o -> Operation.ERROR.equals(o.status()))
                    .collect(Collectors.groupingBy(o -> java.util.Arrays.asList(o.provider(), o.model(), o.errorMessage()),
                            Collectors.counting()));
            List<ErrorSummary> errors = ops.errorAnalysis(f);
            assertThat(errors).hasSize(byError.size());
            for (ErrorSummary e : errors) {
                assertThat(e.errorCount()).isEqualTo(byError.get(java.util.Arrays.asList(e.provider(), e.model(), e.errorMessage())));
            }
            assertThat(errors).isSortedAccordingTo(Comparator.comparingLong(ErrorSummary::errorCount).reversed());
        }
        // The guide's cost query, hand-written, over everything.
        try (Connection c = connection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT provider, SUM(cost), COUNT(*), AVG(latency_ms) FROM llm_operations GROUP BY provider ORDER BY provider")) {
            Map<String, ProviderCostSummary> ours = ops.costByProvider(OperationFilter.all()).stream()
                    .collect(Collectors.toMap(ProviderCostSummary::provider, p -> p));
            int n = 0;
            while (rs.next()) {
                ProviderCostSummary p = ours.get(rs.getString(1));
                BigDecimal sum = rs.getBigDecimal(2);
                assertThat(p.totalCost()).isEqualByComparingTo(sum == null ? BigDecimal.ZERO : sum);
                assertThat(p.requestCount()).isEqualTo(rs.getLong(3));
                assertThat(p.averageLatencyMs()).isCloseTo(rs.getBigDecimal(4).doubleValue(), within(1e-9));
                n++;
            }
            assertThat(n).isEqualTo(ours.size()).isEqualTo(3);
        }
    }

    @Test
    void everyResultExportsAsCsvWithOneLinePerRow() {
        OperationData d = seed(3, 120, 51);
        OperationFilter all = OperationFilter.all();
        assertCsv(ops.fetchAll(all), "operationId,sessionId,actionId,timestamp,operationType,provider,model,inputTokens,"
                + "outputTokens,latencyMs,cost,status,errorMessage,extras");
        assertCsv(ops.costByProvider(all), "provider,totalCost,requestCount,averageLatencyMs");
        assertCsv(ops.sessionAnalysis(all), "workspace,agentId,sessionCount,operationCount,totalCost");
        assertCsv(ops.errorAnalysis(all), "provider,model,errorMessage,errorCount");
        StringWriter out = new StringWriter();
        Csv.write(ops.errorAnalysis(all).stream().filter(e -> e.errorMessage() != null && e.errorMessage().contains("\""))
                .limit(1).toList(), out);
        assertThat(out.toString()).contains(",\"context \"\"too\"\" long\",");
        Operation first = expectedRows(d, all).get(0);
        StringWriter one = new StringWriter();
        Csv.write(List.of(first), one);
        assertThat(one.toString()).contains(first.cost() == null ? ",," : first.cost().toPlainString())
                .contains(",\"{\"\"").contains("\"\"temperature\"\":");
    }

    private static void assertCsv(List<? extends Record> rows, String header) {
        StringWriter out = new StringWriter();
        Csv.write(rows, out);
        assertThat(rows).isNotEmpty();
        assertThat(out.toString()).startsWith(header + "\r\n");
        long records = out.toString().lines().count(); // no field of these rows holds a line break
        assertThat(records).isEqualTo(rows.size() + 1);
    }

    @Test
    void aFilteredFetchAndEveryAnalysisExportToParquetThatDuckDbReadsBackWithTheirTypes() throws Exception {
        seed(4, 300, 61);
        OperationFilter f = OperationFilter.all().withProvider("openai");
        List<Operation> rows = ops.fetchAll(f);
        Path file = dir.resolve("operations.parquet");
        assertThat(Parquet.write(Operation.class, rows, file)).isEqualTo(rows.size());
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement st = duck.createStatement()) {
            String src = "read_parquet('" + file + "')";
            ResultSet types = st.executeQuery("SELECT typeof(operation_id), typeof(timestamp), typeof(cost), typeof(extras),"
                    + " typeof(latency_ms), typeof(provider) FROM " + src + " LIMIT 1");
            assertThat(types.next()).isTrue();
            assertThat(List.of(types.getString(1), types.getString(2), types.getString(3), types.getString(4),
                    types.getString(5), types.getString(6)))
                    .containsExactly("UUID", "TIMESTAMP WITH TIME ZONE", "DECIMAL(38,18)", "JSON", "BIGINT", "VARCHAR");
            // Row by row against the database's own text of each value (this test's SQL, not the library's).
            List<List<String>> fromDuck = new ArrayList<>();
            ResultSet rs = st.executeQuery("SELECT operation_id::VARCHAR, epoch_us(timestamp), cost::VARCHAR, extras::VARCHAR,"
                    + " latency_ms, session_id::VARCHAR, error_message, input_tokens FROM " + src + " ORDER BY timestamp, operation_id");
            while (rs.next()) {
                fromDuck.add(java.util.Arrays.asList(rs.getString(1), rs.getString(2), rs.getString(3),
                        normalizeJson(rs.getString(4)), rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8)));
            }
            List<List<String>> fromDb = new ArrayList<>();
            try (Connection c = connection(); Statement pg = c.createStatement(); ResultSet p = pg.executeQuery(
                    "SELECT operation_id::text, (extract(epoch from \"timestamp\") * 1000000)::bigint, cost::text, extras::text,"
                            + " latency_ms, session_id::text, error_message, input_tokens FROM llm_operations WHERE provider = 'openai'"
                            + " ORDER BY \"timestamp\", operation_id")) {
                while (p.next()) {
                    fromDb.add(java.util.Arrays.asList(p.getString(1), p.getString(2), p.getString(3),
                            normalizeJson(p.getString(4)), p.getString(5), p.getString(6), p.getString(7), p.getString(8)));
                }
            }
            assertThat(fromDb).hasSize(rows.size());
            assertThat(fromDuck).containsExactlyElementsOf(fromDb);
        }
        Path costs = dir.resolve("costs.parquet");
        List<ProviderCostSummary> summary = ops.costByProvider(OperationFilter.all());
        Parquet.write(ProviderCostSummary.class, summary, costs);
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement st = duck.createStatement();
             ResultSet rs = st.executeQuery("SELECT provider, total_cost, request_count, average_latency_ms FROM read_parquet('"
                     + costs + "')")) {
            for (ProviderCostSummary s : summary) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo(s.provider());
                assertThat(rs.getBigDecimal(2)).isEqualByComparingTo(s.totalCost());
                assertThat(rs.getLong(3)).isEqualTo(s.requestCount());
                assertThat(rs.getDouble(4)).isEqualTo(s.averageLatencyMs());
            }
            assertThat(rs.next()).isFalse();
        }
        Path none = dir.resolve("none.parquet");
        assertThat(Parquet.write(ErrorSummary.class, ops.errorAnalysis(OperationFilter.all().withModel("none")), none)).isZero();
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement st = duck.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*), count(error_count) FROM read_parquet('" + none + "')")) {
            rs.next();
            assertThat(rs.getLong(1)).as("an empty result still has its columns").isZero();
        }
        assertThat(Files.size(none)).isPositive();
    }

    /** JSON text with keys sorted and no spaces, so PostgreSQL's and DuckDB's renderings compare. */
    private static String normalizeJson(String json) throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper m = new com.fasterxml.jackson.databind.ObjectMapper()
                .configure(com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
        return m.writeValueAsString(m.readValue(json, TreeMap.class));
    }

    // ------------------------------------------------------------------ helpers

    /** A stored session. */
    LlmSession session() {
        LlmSession s = LlmSession.of(UUID.randomUUID(), "research", "planner", OperationData.START);
        ops.ensureSession(s);
        return s;
    }

    /** Generated data, recorded synchronously. */
    OperationData seed(int sessions, int count, long seed) {
        OperationData d = OperationData.generate(sessions, count, seed);
        d.sessions.forEach(s -> assertThat(ops.ensureSession(s)).isTrue());
        for (OperationWithMessages o : d.operations) {
            assertThat(ops.record(o)).isTrue();
        }
        return d;
    }

    /** What a fetch with {@code f} returns, computed in Java: the filter's rule, priced costs, (timestamp, id) order. */
    static List<Operation> expectedRows(OperationData d, OperationFilter f) {
        return d.operations.stream().map(OperationWithMessages::operation)
                .filter(o -> f.test(o, d.sessionOf.get(o.operationId()).workspace(), d.sessionOf.get(o.operationId()).agentId()))
                .map(OperationStoreContract::priced)
                .sorted(Comparator.comparing(Operation::timestamp).thenComparing(Operation::operationId))
                .toList();
    }

    static Operation priced(Operation o) {
        if (o.cost() != null) {
            return o;
        }
        return CATALOG.cost(o.provider(), o.model(), TokenUsage.of(o.inputTokens(), o.outputTokens()), o.timestamp())
                .map(c -> o.withCost(c.total().setScale(Operation.COST_SCALE, RoundingMode.HALF_UP))).orElse(o);
    }

    static BigDecimal sumCost(List<Operation> rows) {
        return rows.stream().map(Operation::cost).filter(Objects::nonNull).reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    long countRows(String table) throws SQLException {
        try (Connection c = connection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    // ------------------------------------------------------------------ durable spool

    @Test
    void anOperationSpoolLeftByAWriterThatNeverReachedTheDatabaseIsReplayedAndEachOperationStoredOnce()
            throws SQLException {
        OperationData d = OperationData.generate(3, 600, 26);
        d.sessions.forEach(ops::ensureSession);
        // Given the first 200 were stored before the writer died (a kill comes before the spool's trim),
        for (OperationWithMessages o : d.operations.subList(0, 200)) {
            ops.record(o);
        }
        // and a spool holding all 600, written by a buffered writer whose database never answered.
        Path spoolRoot = dir.resolve("spool");
        TimescaleOperations dead = new TimescaleOperations(DSL.using(io.llmstore.timescale.NeverAnsweringDataSource.create(),
                SQLDialect.POSTGRES), CATALOG, RetryPolicy.none(), java.util.Optional.of(
                io.llmstore.core.buffer.SpoolSettings.of(spoolRoot.resolve(TimescaleOperations.SPOOL_KIND))));
        d.operations.forEach(dead.buffered()::record);
        dead.close();

        // When a pool opens that SPOOL_DIR,
        try (StoragePool replaying = StoragePool.create(StorageConfig.builder()
                .databaseUrl(server().databaseUrl())
                .poolMaxConnections(Math.min(4, server().maxConnections()))
                .poolMinConnections(1)
                .set("DB_SCHEMA", schema)
                .set("SPOOL_DIR", spoolRoot.toString())
                .build())) {
            assertThat(replaying.operations().buffered().spoolStats().orElseThrow().recovered()).isEqualTo(600);
            replaying.operations().buffered().flush();
            assertThat(replaying.operations().buffered().spoolStats().orElseThrow().pending()).isZero();
        }

        // then every operation is stored once, with its messages and values.
        assertThat(countRows("llm_operations")).isEqualTo(600);
        assertThat(countRows("(SELECT DISTINCT operation_id FROM llm_operations) ids")).isEqualTo(600);
        assertThat(countRows("llm_messages")).isEqualTo(1_800);
        for (OperationWithMessages o : List.of(d.operations.get(0), d.operations.get(299), d.operations.get(599))) {
            assertThat(ops.messages(o.operation().operationId())).containsExactlyElementsOf(o.messages());
        }
        OperationFilter all = OperationFilter.all();
        assertThat(ops.fetch(all, java.util.Optional.empty(), 1000).operations()).hasSize(600);
    }
}
