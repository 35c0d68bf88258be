package io.llmstore.timescale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.llmstore.core.StoragePool;
import io.llmstore.core.buffer.BufferedWriter;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.price.Cost;
import io.llmstore.core.price.PriceCatalog;
import io.llmstore.core.price.TokenUsage;
import io.llmstore.core.trace.LlmSpan;
import io.llmstore.core.trace.SpanNode;
import io.llmstore.core.trace.SpanTotals;
import io.llmstore.core.trace.TraceCursor;
import io.llmstore.core.trace.TraceFilter;
import io.llmstore.core.trace.TraceIds;
import io.llmstore.core.trace.TracePage;
import io.llmstore.core.trace.TraceSummary;
import io.llmstore.core.trace.TraceTree;
import io.llmstore.core.trace.Traces;
import io.llmstore.testkit.PostgresServer;
import io.llmstore.testkit.Schemas;
import io.llmstore.testkit.TestServers;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code pool.traces()} promises, proven on a real server: {@link PostgresTraceStoreTest} on PostgreSQL 15,
 * {@link TimescaleTraceStoreTest} on TimescaleDB 2.28 ({@code llm_spans} a hypertable). Expected answers are computed
 * here in Java from the spans written. Each test owns a fresh schema.
 */
abstract class TraceStoreContract {
    static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");

    protected String schema;
    protected final List<StoragePool> pools = new ArrayList<>();
    protected StoragePool pool;

    abstract PostgresServer server();

    /** The name {@link TestServers#stop} knows this server by. */
    abstract String serverName();

    @BeforeEach
    void openPoolOnFreshSchema() {
        schema = "tr_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        pool = open(Map.of());
    }

    @AfterEach
    void closePoolsAndDropSchema() throws SQLException {
        for (StoragePool p : pools) {
            p.close();
        }
        try (Connection c = direct()) {
            Schemas.drop(c, schema);
        }
    }

    StoragePool open(Map<String, String> extra) {
        StorageConfig.Builder b = StorageConfig.builder()
                .databaseUrl(server().databaseUrl())
                .poolMaxConnections(Math.min(4, server().maxConnections()))
                .poolMinConnections(1)
                .retryMaxAttempts(2)
                .set("DB_SCHEMA", schema)
                .set("DB_MIGRATE_ON_START", "true")
                .set("TRACE_FLUSH_INTERVAL", "100ms");
        extra.forEach(b::set);
        StoragePool p = StoragePool.create(b.build());
        pools.add(p);
        return p;
    }

    /** A connection of its own (not from a pool under test) on this test's schema. */
    Connection direct() throws SQLException {
        PostgresServer s = server();
        Connection c = DriverManager.getConnection(s.jdbcUrl(), s.user(), s.password());
        try (Statement st = c.createStatement()) {
            st.execute("SET search_path TO \"" + schema + "\", public");
        }
        return c;
    }

    long query(String sql) {
        try (Connection c = direct(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    static LlmSpan.Builder span(String traceId, String spanId, Instant start, long millis) {
        return LlmSpan.builder().traceId(traceId).spanId(spanId).name("step " + spanId).operation(LlmSpan.CHAT)
                .startTime(start).endTime(start.plusMillis(millis));
    }

    // ------------------------------------------------------------------ trace-id resolution under a race

    @Test
    void twoPoolsOfEightThreadsWritingSpansOfOneThousandNewTracesMakeOneTraceRowEachAndEverySpanUnderIt()
            throws Exception {
        StoragePool second = open(Map.of());
        List<Traces> writers = List.of(pool.traces(), second.traces());
        int traces = 1000;
        int threadsPerPool = 8;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(2 * threadsPerPool);
        List<Future<?>> done = new ArrayList<>();
        try {
            for (int p = 0; p < 2; p++) {
                for (int t = 0; t < threadsPerPool; t++) {
                    Traces w = writers.get(p);
                    String prefix = "p" + p + "t" + t + "#";
                    boolean buffered = t % 2 == 0; // half through the buffer, half through writeAll: both race
                    done.add(threads.submit(() -> {
                        go.await();
                        List<LlmSpan> batch = new ArrayList<>();
                        for (int i = 0; i < traces; i++) {
                            LlmSpan s = span(traceName(i), prefix + i, T0.plusMillis(i), 5).build();
                            if (buffered) {
                                w.write(s);
                            } else {
                                batch.add(s);
                                if (batch.size() == 50) {
                                    w.writeAll(batch);
                                    batch.clear();
                                }
                            }
                        }
                        return null;
                    }));
                }
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
        writers.forEach(Traces::flush);

        assertThat(query("SELECT count(*) FROM llm_traces")).as("trace rows").isEqualTo(traces);
        assertThat(query("SELECT count(DISTINCT external_id) FROM llm_traces")).isEqualTo(traces);
        assertThat(query("SELECT count(*) FROM llm_spans")).as("spans").isEqualTo(traces * 2L * threadsPerPool);
        assertThat(query("SELECT count(*) FROM llm_spans s WHERE NOT EXISTS (SELECT 1 FROM llm_traces t"
                + " WHERE t.trace_id = s.trace_id)")).as("spans without their trace row").isZero();
        // Every span is under the trace it named: span "p0t3#17" was written for trace 17.
        Map<UUID, String> stored = new HashMap<>();
        try (Connection c = direct(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT trace_id, external_id FROM llm_traces")) {
            while (rs.next()) {
                stored.put(rs.getObject(1, UUID.class), rs.getString(2));
            }
        }
        for (int i = 0; i < traces; i++) {
            assertThat(stored.get(TraceIds.uuidOf(traceName(i)))).isEqualTo(traceName(i));
        }
        try (Connection c = direct(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT s.span_id, t.external_id FROM llm_spans s JOIN llm_traces t"
                     + " ON t.trace_id = s.trace_id")) {
            int n = 0;
            while (rs.next()) {
                String spanId = rs.getString(1);
                int i = Integer.parseInt(spanId.substring(spanId.indexOf('#') + 1));
                assertThat(rs.getString(2)).as("trace of span " + spanId).isEqualTo(traceName(i));
                n++;
            }
            assertThat(n).isEqualTo(traces * 2 * threadsPerPool);
        }
        assertThat(pool.traces().trace(traceName(7)).orElseThrow().spans()).hasSize(2 * threadsPerPool);
    }

    private static String traceName(int i) {
        return "trace " + i + " · ü🚀";
    }

    // ------------------------------------------------------------------ the tree

    /** An agent run: the agent span repeats its calls' usage (some instrumentations roll it up), so it must not count. */
    private List<LlmSpan> agentRun(String traceId, String conversation, String user, Instant at) {
        LlmSpan chat1 = span(traceId, "chat-1", at.plusMillis(10), 400).provider("openai").model("gpt-4o")
                .responseModel("gpt-4o-2024-08-06").responseId("resp-1")
                .inputMessages(List.of(new LlmSpan.ChatMessage("system", "Be brief.\n\t\\ \"quoted\""),
                        new LlmSpan.ChatMessage("user", "Wie spät ist es? 🕰️")))
                .output("Es ist 10 Uhr.").finishReasons(List.of("tool_calls", "stop"))
                .usage(TokenUsage.builder().inputTokens(1200).cacheReadTokens(200).cacheWriteTokens(100)
                        .outputTokens(300).outputReasoningTokens(40).build())
                .cost(new BigDecimal("0.012345678901234567891"), "test-prices")
                .conversationId(conversation).userId(user).parentSpanId("agent").attribute("http.status", "200")
                .build();
        LlmSpan tool = span(traceId, "tool-1", at.plusMillis(500), 50).operation(LlmSpan.EXECUTE_TOOL)
                .name("execute_tool clock").parentSpanId("chat-1").conversationId(conversation).userId(user)
                .error("clock unavailable: timeout after 50 ms").build();
        LlmSpan chat2 = span(traceId, "chat-2", at.plusMillis(600), 900).provider("anthropic")
                .model("claude-sonnet-4-5").input("plain prompt").output("answer").finishReasons(List.of("end_turn"))
                .usage(500, 100).cost(new BigDecimal("0.0025"), "test-prices").parentSpanId("agent")
                .conversationId(conversation).userId(user).build();
        LlmSpan agent = span(traceId, "agent", at, 1600).operation(LlmSpan.INVOKE_AGENT).name("invoke_agent planner")
                .usage(TokenUsage.builder().inputTokens(1700).outputTokens(400).build())
                .cost(new BigDecimal("0.014845678901234567891"), "rolled-up").conversationId(conversation).userId(user)
                .build();
        LlmSpan orphan = span(traceId, "late-child", at.plusMillis(700), 20).parentSpanId("not-yet-stored")
                .operation(LlmSpan.EMBEDDINGS).provider("openai").model("text-embedding-3-small").usage(64, 0)
                .cost(BigDecimal.ZERO, "free").conversationId(conversation).userId(user).build();
        return List.of(orphan, chat2, agent, tool, chat1); // any order: the tree is ordered on reading
    }

    @Test
    void aTraceTreeReadsBackEqualToWhatWasWrittenInStartOrderWithTheOrphanMarked() {
        List<LlmSpan> written = agentRun("run-1", "conv-1", "user-1", T0);
        written.forEach(pool.traces()::write);
        pool.traces().flush();

        TraceTree tree = pool.traces().trace("run-1").orElseThrow();
        assertThat(tree.id()).isEqualTo(TraceIds.uuidOf("run-1"));
        assertThat(tree.spans()).containsExactlyInAnyOrderElementsOf(written);
        Map<String, LlmSpan> byId = new HashMap<>();
        written.forEach(s -> byId.put(s.spanId(), s));
        // Expected shape: agent(chat-1(tool-1), chat-2), then the orphan, roots by start.
        assertThat(tree.roots()).extracting(n -> n.span().spanId()).containsExactly("agent", "late-child");
        SpanNode agent = tree.roots().get(0);
        assertThat(agent.orphan()).isFalse();
        assertThat(tree.roots().get(1).orphan()).as("its parent is not stored").isTrue();
        assertThat(agent.children()).extracting(n -> n.span().spanId()).containsExactly("chat-1", "chat-2");
        assertThat(agent.children().get(0).children()).extracting(n -> n.span()).containsExactly(byId.get("tool-1"));
        assertThat(agent.children().get(0).span()).isEqualTo(byId.get("chat-1"));
        assertThat(tree.orphans()).containsExactly(byId.get("late-child"));
        assertThat(pool.traces().trace("no such trace")).isEmpty();
    }

    @Test
    void totalsAndConversationCostCountEachCallOnceNeverAParentAndItsChild() {
        List<LlmSpan> run1 = agentRun("run-a", "conv-x", "user-1", T0);
        List<LlmSpan> run2 = agentRun("run-b", "conv-x", "user-1", T0.plusSeconds(60));
        pool.traces().writeAll(run1);
        pool.traces().writeAll(run2);

        // Computed by hand: chat-1, chat-2 and the embedding count; the agent repeats chat-1 + chat-2; the tool has none.
        BigDecimal perRun = new BigDecimal("0.012345678901234567891").add(new BigDecimal("0.0025"));
        SpanTotals one = pool.traces().totals("run-a").orElseThrow().totals();
        assertThat(one.spans()).isEqualTo(5);
        assertThat(one.calls()).isEqualTo(3);
        assertThat(one.errorSpans()).isEqualTo(1);
        assertThat(one.costUsd()).isEqualByComparingTo(perRun);
        assertThat(one.inputTokens()).isEqualTo(1200 + 500 + 64);
        assertThat(one.outputTokens()).isEqualTo(300 + 100);
        assertThat(one.cacheReadTokens()).isEqualTo(200);
        assertThat(one.cacheWriteTokens()).isEqualTo(100);
        assertThat(one.reasoningTokens()).isEqualTo(40);
        assertThat(one.latency()).isEqualTo(Duration.ofMillis(1600));

        SpanTotals conv = pool.traces().conversationCost("conv-x");
        assertThat(conv.spans()).isEqualTo(10);
        assertThat(conv.calls()).isEqualTo(6);
        assertThat(conv.costUsd()).isEqualByComparingTo(perRun.multiply(BigDecimal.valueOf(2)));
        assertThat(conv.inputTokens()).isEqualTo(2 * (1200 + 500 + 64));
        assertThat(pool.traces().conversationCost("no such conversation")).isEqualTo(SpanTotals.NONE);
    }

    @Test
    void aSpanWithUsageButNoCostIsPricedFromTheCatalogWithItsPriceSource() {
        LlmSpan noCost = span("priced", "c", T0, 100).provider("openai").model("gpt-4o").usage(1_000_000, 100_000).build();
        LlmSpan unknown = span("priced", "u", T0.plusMillis(1), 100).provider("nobody").model("no-such-model")
                .usage(10, 10).build();
        pool.traces().writeAll(List.of(noCost, unknown));

        Cost expected = PriceCatalog.bundled().cost("openai", "gpt-4o", TokenUsage.of(1_000_000, 100_000), T0).orElseThrow();
        Map<String, LlmSpan> back = new HashMap<>();
        pool.traces().trace("priced").orElseThrow().spans().forEach(s -> back.put(s.spanId(), s));
        assertThat(back.get("c").costUsd()).isPositive().isEqualByComparingTo(expected.total());
        assertThat(back.get("c").priceSource()).isEqualTo(expected.pricedBy().source());
        assertThat(back.get("u").costUsd()).as("a model the catalog does not price keeps no cost").isNull();
    }

    // ------------------------------------------------------------------ queries

    @Test
    void slowestAndErrorSpansAreTheOnesComputedFromWhatWasWritten() {
        List<LlmSpan> written = new ArrayList<>();
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 300; i++) {
            LlmSpan.Builder b = span("q-" + (i % 30), "s" + i, T0.plusSeconds(i), 1 + random.nextInt(5000));
            if (i % 7 == 0) {
                b.error("boom " + i);
            }
            written.add(b.build());
        }
        pool.traces().writeAll(written);
        Instant from = T0.plusSeconds(50);
        Instant to = T0.plusSeconds(250);

        List<LlmSpan> inWindow = written.stream().filter(s -> !s.startTime().isBefore(from) && s.startTime().isBefore(to)).toList();
        List<LlmSpan> slowest = inWindow.stream().sorted(Comparator.comparing(LlmSpan::latency).reversed()
                .thenComparing(LlmSpan::startTime).thenComparing(LlmSpan::spanId)).limit(10).toList();
        assertThat(pool.traces().slowestSpans(from, to, 10)).containsExactlyElementsOf(slowest);
        List<LlmSpan> errors = inWindow.stream().filter(LlmSpan::isError)
                .sorted(Comparator.comparing(LlmSpan::startTime).reversed()).limit(20).toList();
        assertThat(errors).hasSizeGreaterThan(20 - 1);
        assertThat(pool.traces().errorSpans(from, to, 20)).containsExactlyElementsOf(errors);
        assertThatThrownBy(() -> pool.traces().slowestSpans(to, from, 10)).hasMessageContaining("to must be after from");
        assertThatThrownBy(() -> pool.traces().errorSpans(from, to, 0)).hasMessageContaining("limit must be 1..");
    }

    @Test
    void tracesOfAUserOverATimeRangeComeInKeysetPagesWithNoneMissedOrRepeated() {
        List<LlmSpan> written = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String user = i % 4 == 0 ? "other" : "alice";
            // Two traces share each start time, so the page order falls back to the UUID.
            Instant at = T0.plusSeconds(60L * (i / 2));
            written.add(span("u-" + i, "root", at, 100).userId(user).conversationId("c-" + (i % 3)).usage(10, i).build());
            written.add(span("u-" + i, "child", at.plusMillis(5), 50).parentSpanId("root").userId(user).build());
        }
        pool.traces().writeAll(written);
        Instant from = T0.plusSeconds(60);
        Instant to = T0.plusSeconds(60 * 15);

        // Expected: alice's traces whose first span in the window starts in [from, to), by start then UUID (as text,
        // which is PostgreSQL's uuid order).
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            Instant at = T0.plusSeconds(60L * (i / 2));
            if (i % 4 != 0 && !at.isBefore(from) && at.isBefore(to)) {
                expected.add("u-" + i);
            }
        }
        expected.sort(Comparator.comparing((String t) -> written.stream().filter(s -> s.traceId().equals(t))
                .map(LlmSpan::startTime).min(Comparator.naturalOrder()).orElseThrow())
                .thenComparing(t -> TraceIds.uuidOf(t).toString()));

        List<String> seen = new ArrayList<>();
        Optional<TraceCursor> cursor = Optional.empty();
        int pages = 0;
        do {
            TracePage page = pool.traces().traces(TraceFilter.ofUser("alice", from, to), cursor, 4);
            for (TraceSummary s : page.traces()) {
                seen.add(s.traceId());
                assertThat(s.totals().spans()).isEqualTo(2);
                assertThat(s.totals().calls()).isEqualTo(1);
            }
            cursor = page.next().map(c -> TraceCursor.parse(c.toString())); // the text form a client would hold
            pages++;
        } while (cursor.isPresent());
        assertThat(seen).containsExactlyElementsOf(expected);
        assertThat(pages).as("pages of 4; the last one says there is no next").isEqualTo((expected.size() + 3) / 4);

        List<String> ofConversation = pool.traces().traces(TraceFilter.ofConversation("c-1", T0, T0.plusSeconds(3600)),
                Optional.empty(), 1000).traces().stream().map(TraceSummary::traceId).toList();
        List<String> expectedConversation = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            if (i % 3 == 1) {
                expectedConversation.add("u-" + i);
            }
        }
        assertThat(ofConversation).containsExactlyInAnyOrderElementsOf(expectedConversation);
    }

    // ------------------------------------------------------------------ durability and idempotency

    @Test
    void replayedSpansAreStoredOnceAndAReplayMixedWithNewSpansStoresOnlyTheNewOnes() {
        List<LlmSpan> first = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            first.add(span("replay-" + (i % 10), "s" + i, T0.plusMillis(i), 3).build());
        }
        pool.traces().writeAll(first);
        pool.traces().writeAll(first);
        List<LlmSpan> mixed = new ArrayList<>(first.subList(100, 200));
        for (int i = 200; i < 250; i++) {
            mixed.add(span("replay-new", "s" + i, T0.plusMillis(i), 3).build());
        }
        mixed.forEach(pool.traces()::write);
        pool.traces().flush();
        assertThat(query("SELECT count(*) FROM llm_spans")).isEqualTo(250);
        assertThat(query("SELECT count(*) FROM llm_traces")).isEqualTo(11);
        assertThat(pool.traces().stats().poison()).isZero();
    }

    @Test
    void closingThePoolWritesTheBufferedSpans() throws Exception {
        StoragePool p = open(Map.of("TRACE_FLUSH_INTERVAL", "1h", "TRACE_FLUSH_SIZE", "5000"));
        for (int i = 0; i < 700; i++) {
            p.traces().write(span("closing-" + (i % 7), "s" + i, T0.plusMillis(i), 1).build());
        }
        assertThat(query("SELECT count(*) FROM llm_spans")).as("nothing written yet: an hour's interval").isZero();
        p.close();
        assertThat(query("SELECT count(*) FROM llm_spans")).isEqualTo(700);
        assertThat(query("SELECT count(*) FROM llm_traces")).isEqualTo(7);
    }

    @Test
    void spansBufferedWhenTheJvmIsTerminatedAreStoredByTheShutdownFlush() throws Exception {
        java.io.File stderr = java.io.File.createTempFile("span-child", ".log");
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", SpanShutdownChild.class.getName(),
                server().databaseUrl(), schema, "3000").redirectError(stderr).start();
        try (java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(child.getInputStream(),
                java.nio.charset.StandardCharsets.UTF_8))) {
            assertThat(in.readLine()).as("child stderr: %s", stderr).isEqualTo("WRITTEN 3000");
            assertThat(query("SELECT count(*) FROM llm_spans")).as("nothing flushed before the signal").isZero();
            child.destroy(); // SIGTERM: the JVM exits normally and runs its shutdown hooks
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            child.destroyForcibly();
        }
        assertThat(query("SELECT count(*) FROM llm_spans")).as("child stderr: %s", stderr).isEqualTo(3000);
        assertThat(query("SELECT count(*) FROM llm_traces")).isEqualTo(10);
        stderr.delete();
    }

    @Test
    void theDatabaseRestartedMidWriteLosesNoSpanAndDoublesNone() throws Exception {
        assertThat(TestServers.canRestart(serverName())).as("the server comes from scripts/test-servers").isTrue();
        // A short connect timeout, so the flusher's attempts during the outage fail (and are counted) instead of
        // waiting in getConnection for the server to return.
        StoragePool p = open(Map.of("TRACE_FLUSH_SIZE", "1000", "TRACE_BUFFER_FULL_TIMEOUT", "60s",
                "DB_POOL_CONNECT_TIMEOUT", "500ms"));
        Traces traces = p.traces();
        int total = 30_000;
        CompletableFuture<Void> producer = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < total; i++) {
                traces.write(span("restart-" + (i % 500), "s" + i, T0.plusMillis(i), 2).usage(3, 4).build());
                if (i % 300 == 299) {
                    sleepMillis(20);
                }
            }
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> traces.stats().written() >= 5_000);
        TestServers.stop(serverName());
        try {
            sleepMillis(2000); // the writer keeps accepting while the database is away
        } finally {
            TestServers.start(serverName());
        }
        producer.get(120, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .until(() -> traces.stats().buffered() == 0);
        traces.flush();

        BufferedWriter.Stats stats = traces.stats();
        assertThat(stats.failures()).as("batches that failed during the outage").isPositive();
        assertThat(stats.dropped()).isZero();
        assertThat(stats.poison()).isZero();
        assertThat(query("SELECT count(*) FROM llm_spans")).as("spans stored").isEqualTo(total);
        assertThat(query("SELECT count(DISTINCT span_id) FROM llm_spans")).as("distinct spans").isEqualTo(total);
        assertThat(query("SELECT count(*) FROM llm_traces")).isEqualTo(500);
        assertThat(query("SELECT count(*) FROM llm_spans s WHERE NOT EXISTS (SELECT 1 FROM llm_traces t"
                + " WHERE t.trace_id = s.trace_id)")).isZero();
    }

    @Test
    void connectionsKilledMidWriteLoseNoSpanAndDoubleNone() throws Exception {
        String app = "traces-kill-" + schema;
        StoragePool p = open(Map.of("DB_APP_NAME", app, "TRACE_FLUSH_SIZE", "500"));
        Traces traces = p.traces();
        int total = 20_000;
        CompletableFuture<Void> producer = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < total; i++) {
                traces.write(span("kill-" + (i % 200), "s" + i, T0.plusMillis(i), 2).build());
                if (i % 200 == 199) {
                    sleepMillis(10);
                }
            }
        });
        long killed = 0;
        for (int round = 0; round < 8 && !producer.isDone(); round++) {
            sleepMillis(150);
            killed += query("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = '"
                    + app + "' AND pid <> pg_backend_pid()");
        }
        producer.get(120, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(60)).until(() -> traces.stats().buffered() == 0);
        traces.flush();

        assertThat(killed).as("backends of the pool terminated while it wrote").isPositive();
        assertThat(traces.stats().dropped()).isZero();
        assertThat(traces.stats().poison()).isZero();
        assertThat(query("SELECT count(*) FROM llm_spans")).isEqualTo(total);
        assertThat(query("SELECT count(DISTINCT span_id) FROM llm_spans")).isEqualTo(total);
        assertThat(query("SELECT count(*) FROM llm_traces")).isEqualTo(200);
    }

    @Test
    void withRecordUsageEachSpanWithUsageRecordsItsUsageRowExactlyOnce() {
        StoragePool p = open(Map.of("TRACE_RECORD_USAGE", "true"));
        List<LlmSpan> spans = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            LlmSpan.Builder b = span("usage-trace", "s" + i, T0.plusSeconds(i), 250).usage(100 + i, 10);
            if (i < 8) {
                b.provider("openai").model("gpt-4o").userId("u" + i);
            }
            spans.add(b.build());
        }
        spans.add(span("usage-trace", "tool", T0, 5).operation(LlmSpan.EXECUTE_TOOL).build()); // no usage: no row
        p.traces().writeAll(spans);
        p.traces().writeAll(spans); // a replay
        spans.forEach(p.traces()::write);
        p.traces().flush();

        assertThat(query("SELECT count(*) FROM llm_usage_metrics")).as("spans with usage, provider and model").isEqualTo(8);
        Set<String> expectedIds = new HashSet<>();
        for (int i = 0; i < 8; i++) {
            expectedIds.add(TraceIds.usageEventIdOf("usage-trace", "s" + i).toString());
        }
        Set<String> ids = new HashSet<>();
        try (Connection c = direct(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT event_id, token_input, cost_usd, avg_latency_ms FROM llm_usage_metrics")) {
            while (rs.next()) {
                ids.add(rs.getString(1));
                assertThat(rs.getBigDecimal(3)).as("priced from the catalog").isPositive();
                assertThat(rs.getDouble(4)).isEqualTo(250.0);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        assertThat(ids).isEqualTo(expectedIds);
        assertThat(query("SELECT count(*) FROM llm_spans")).isEqualTo(11);
    }

    // ------------------------------------------------------------------ bad input

    @Test
    void badSpansAreRefusedNamingTheFieldAndNothingIsStored() {
        assertThatThrownBy(() -> span("bad", "a", T0, 0).endTime(T0.minusMillis(1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("endTime must not be before startTime");
        assertThatThrownBy(() -> span("bad", "a", T0, 1).usage(-3, 1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("inputTokens must be >= 0, was -3");
        assertThatThrownBy(() -> span("bad", "a", T0, 1).name("n".repeat(256)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("name must be at most 255 characters");
        assertThatThrownBy(() -> span("bad", "a", T0, 1).input("nul \u0000 inside").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("input must not contain a NUL");
        assertThatThrownBy(() -> span("bad", "a", T0, 1).output("lone \uD800 surrogate").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("output must be valid UTF-16");
        assertThatThrownBy(() -> span(null, "a", T0, 1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("traceId is required");
        assertThatThrownBy(() -> span("bad", "a", T0, 1).cost(new BigDecimal("-0.01"), "x").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("costUsd must be >= 0");
        assertThatThrownBy(() -> span("bad", "a", T0, 1).attribute("gen_ai.request.model", "x").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("extraAttributes key must not be a name GenAiAttributes maps to a field");
        assertThatThrownBy(() -> pool.traces().writeAll(null)).isInstanceOf(NullPointerException.class);
        assertThat(query("SELECT count(*) FROM llm_spans")).isZero();

        // Hostile but valid: huge text, every escape COPY knows, SQL in ids; read back exactly.
        String huge = "x\t\\N\n\r'; DROP TABLE llm_spans; --" + "é".repeat(LlmSpan.MAX_TEXT_CHARS - 40);
        LlmSpan hostile = span("'; DROP TABLE llm_traces; --", "\\N", T0, 1).input(huge).output("\\.")
                .attribute("k\t\"", "v\n\\").build();
        pool.traces().writeAll(List.of(hostile));
        assertThat(pool.traces().trace("'; DROP TABLE llm_traces; --").orElseThrow().spans()).containsExactly(hostile);
    }

    static void sleepMillis(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static DataSource dataSource(StoragePool p) {
        return p.client(DataSource.class).orElseThrow();
    }

    // ------------------------------------------------------------------ durable spool

    @Test
    void aSpanSpoolLeftByAWriterThatNeverReachedTheDatabaseIsReplayedAndEachSpanStoredOnce(@TempDir Path spoolRoot) {
        List<LlmSpan> spans = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            spans.add(span("trace-🧵-" + (i % 40), "span-" + i, T0.plusMillis(i).plusNanos(1_000), 5 + i % 50)
                    .parentSpanId(i % 40 == i ? null : "span-" + (i - 40)).provider("openai").model("gpt-4o")
                    .usage(TokenUsage.of(100 + i, 10 + i % 7)).cost(new BigDecimal("0.000000000000000001").multiply(
                            BigDecimal.valueOf(i + 1)), "caller")
                    .input("prompt " + i + " 日本語 𝄞").attribute("app.i", Integer.toString(i)).build());
        }
        // Given the first 300 were stored before the writer died (a kill comes before the spool's trim),
        pool.traces().writeAll(spans.subList(0, 300));
        // and a spool holding all 1,000, written by a span writer whose database never answered.
        StorageConfig spooled = StorageConfig.builder().databaseUrl(server().databaseUrl())
                .set("SPOOL_DIR", spoolRoot.toString()).set("TRACE_SHUTDOWN_FLUSH_TIMEOUT", "0s").build();
        io.llmstore.timescale.trace.TimescaleTraces dead = io.llmstore.timescale.trace.TimescaleTraces.open(
                io.llmstore.timescale.trace.TraceOptions.from(spooled), NeverAnsweringDataSource.create(),
                io.llmstore.core.retry.RetryPolicy.none(), null);
        spans.forEach(dead::write);
        dead.close();

        // When a pool opens that SPOOL_DIR,
        StoragePool replaying = open(Map.of("SPOOL_DIR", spoolRoot.toString()));
        assertThat(replaying.traces().spoolStats().orElseThrow().recovered()).isEqualTo(1_000);
        replaying.traces().flush();

        // then every span is stored once, with its values, and the spool is empty.
        assertThat(query("SELECT count(*) FROM llm_spans")).isEqualTo(1_000);
        assertThat(query("SELECT count(DISTINCT (trace_id, span_id, start_time)) FROM llm_spans")).isEqualTo(1_000);
        assertThat(query("SELECT count(*) FROM llm_traces")).isEqualTo(40);
        TraceTree tree = replaying.traces().trace("trace-🧵-7").orElseThrow();
        List<LlmSpan> stored = new ArrayList<>();
        collect(tree.roots(), stored);
        assertThat(stored).containsExactlyInAnyOrderElementsOf(spans.stream()
                .filter(s -> s.traceId().equals("trace-🧵-7")).toList());
        assertThat(replaying.traces().spoolStats().orElseThrow().pending()).isZero();
    }

    private static void collect(List<SpanNode> nodes, List<LlmSpan> into) {
        for (SpanNode n : nodes) {
            into.add(n.span());
            collect(n.children(), into);
        }
    }
}
