package io.llmstore.bench;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.trace.LlmSpan;
import io.llmstore.core.trace.Traces;
import io.llmstore.testkit.PostgresServer;
import io.llmstore.timescale.trace.TimescaleTraces;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.postgresql.PGConnection;

/**
 * Trace recording on real PostgreSQL 15:
 * <ol>
 * <li>spans/s through {@code pool.traces().write(span)} (one caller thread; the buffered writer resolves trace ids,
 *     COPYs batches of 50,000 with their new trace rows, idempotently), timed from the first write to the return of
 *     {@code flush()}, against {@code psql \copy} of the same rows (dumped from {@code llm_spans} with COPY TO, so
 *     byte for byte the same) into a table of the same shape ({@code LIKE llm_spans INCLUDING ALL}); goal >= 0.8x;
 *     a fresh pool (cold trace cache) and truncated tables each round, best of three;</li>
 * <li>resolved-trace cache hits per second on one thread ({@code resolveTraceId} of traces already stored); goal
 *     >= 5 M/s.</li>
 * </ol>
 */
public final class TraceBenchmark implements Benchmark {
    private static final String COLUMNS = "start_time, end_time, trace_id, span_id, parent_span_id, name, operation,"
            + " provider, request_model, response_model, response_id, input, output, finish_reasons, token_input,"
            + " token_output, token_cache_read, token_cache_write, token_reasoning, cost_usd, price_source, status,"
            + " status_message, attributes, conversation_id, user_id";

    @Override
    public String name() {
        return "traces";
    }

    @Override
    public List<Measure> run(BenchServers servers, boolean smoke) throws Exception {
        PostgresServer pg = servers.postgres();
        int spans = smoke ? 5_000 : 300_000;
        int traces = spans / 50;
        String schema = "bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        List<LlmSpan> rows = spans(spans, traces);
        List<Measure> measures = new ArrayList<>();
        Path dump = Files.createTempFile("llmstore-spans", ".copy");
        double ours = 0;
        double psql = 0;
        String fsync = "?";
        try {
            for (int round = 0; round < 3; round++) {
                try (StoragePool pool = StoragePool.create(config(pg, schema))) {
                    DataSource ds = pool.client(DataSource.class).orElseThrow();
                    fsync = query(ds, "SHOW fsync");
                    exec(ds, "CREATE TABLE IF NOT EXISTS bench_spans_copy (LIKE llm_spans INCLUDING ALL)");
                    exec(ds, "TRUNCATE llm_spans, llm_traces, bench_spans_copy");
                    Traces t = pool.traces();
                    long start = System.nanoTime();
                    for (LlmSpan s : rows) {
                        t.write(s);
                    }
                    t.flush();
                    ours = Math.max(ours, spans / seconds(start));
                    check(Long.parseLong(query(ds, "SELECT count(*) FROM llm_spans")) == spans, "spans stored");
                    check(Long.parseLong(query(ds, "SELECT count(*) FROM llm_traces")) == traces, "trace rows");
                    if (round == 0) {
                        try (Connection c = ds.getConnection(); OutputStream out = Files.newOutputStream(dump)) {
                            c.unwrap(PGConnection.class).getCopyAPI()
                                    .copyOut("COPY llm_spans (" + COLUMNS + ") TO STDOUT", out);
                        }
                    }
                    psql = Math.max(psql, spans / psqlCopy(pg, schema, dump));
                    check(Long.parseLong(query(ds, "SELECT count(*) FROM bench_spans_copy")) == spans, "psql rows");
                    if (round == 2) {
                        measures.add(cacheHits(pool, rows, traces));
                    }
                }
            }
        } finally {
            Files.deleteIfExists(dump);
            try (StoragePool pool = StoragePool.create(config(pg, schema))) {
                DataSource ds = pool.client(DataSource.class).orElseThrow();
                try (Connection c = ds.getConnection()) {
                    exec(c, "SET search_path TO public");
                    io.llmstore.testkit.Schemas.drop(c, schema);
                }
            }
        }
        measures.add(0, Measure.ratioAtLeast("span ingest through pool.traces().write() (buffered, COPY with trace rows,"
                        + " idempotent) vs psql \\copy of the same rows", "spans/s", ours, psql, "psql \\copy", 0.8,
                "PostgreSQL 15, fsync=" + fsync + ", 1 caller thread, " + spans + " spans of " + traces
                        + " new traces (~420 bytes per span in COPY text), batches of 50000 (TRACE_FLUSH_SIZE), best of 3 rounds each, unique key + 4 indexes on both tables;"
                        + " trace rows (" + traces + ") only on our side"));
        return measures;
    }

    private static Measure cacheHits(StoragePool pool, List<LlmSpan> rows, int traces) {
        TimescaleTraces t = pool.client(TimescaleTraces.class).orElseThrow();
        String[] ids = new String[traces];
        for (int i = 0; i < traces; i++) {
            ids[i] = rows.get(i * 50).traceId();
        }
        long sink = 0;
        for (int i = 0; i < 2_000_000; i++) { // warm-up, JIT
            sink += t.resolveTraceId(ids[i % traces]).getLeastSignificantBits();
        }
        int lookups = 20_000_000;
        long start = System.nanoTime();
        for (int i = 0; i < lookups; i++) {
            sink += t.resolveTraceId(ids[i % traces]).getLeastSignificantBits();
        }
        double rate = lookups / seconds(start);
        check(sink != 42, "keeps the loop");
        return Measure.absolute("resolved-trace cache hits (resolveTraceId of a stored trace)", "lookups/s", rate,
                ">= 5000000", rate >= 5_000_000, "1 thread, " + traces + " trace ids cached (Caffeine, bounded by size), "
                        + lookups + " lookups after 2M warm-up");
    }

    private static StorageConfig config(PostgresServer pg, String schema) {
        return StorageConfig.builder().databaseUrl(pg.databaseUrl()).poolMaxConnections(4)
                .set("DB_SCHEMA", schema).set("DB_MIGRATE_ON_START", "true").set("DB_TIMESCALEDB", "off")
                .set("TRACE_FLUSH_SIZE", "50000").set("TRACE_BUFFER_CAPACITY", "200000")
                .set("TRACE_FILL_MISSING_COST", "false").build();
    }

    /** {@code n} spans of {@code traces} traces: a root and its children, each with a prompt, usage and a cost. */
    static List<LlmSpan> spans(int n, int traces) {
        List<LlmSpan> out = new ArrayList<>(n);
        Instant t0 = Instant.parse("2026-03-01T00:00:00Z");
        int perTrace = n / traces;
        for (int t = 0; t < traces; t++) {
            String traceId = String.format(Locale.ROOT, "%032x", (long) t * 2654435761L);
            for (int s = 0; s < perTrace; s++) {
                Instant start = t0.plusMillis(t * 1000L + s * 10L);
                out.add(LlmSpan.builder().traceId(traceId).spanId(String.format(Locale.ROOT, "%016x", s + 1L))
                        .parentSpanId(s == 0 ? null : "0000000000000001").name("chat gpt-4o-mini")
                        .operation(LlmSpan.CHAT).provider("openai").model("gpt-4o-mini")
                        .input("Summarize ticket #" + (t * perTrace + s) + ": the customer reports that the export"
                                + " button does nothing on Safari 17 since the last release.")
                        .output("The export button fails on Safari 17 after the latest release.")
                        .finishReasons(List.of("stop")).usage(180 + s, 40).cost(new BigDecimal("0.000051"), "bench")
                        .startTime(start).endTime(start.plusMillis(300 + s)).userId("user-" + (t % 100))
                        .conversationId("conv-" + (t % 500)).build());
            }
        }
        return out;
    }

    /** Seconds for psql \copy of the dump into bench_spans_copy. */
    private static double psqlCopy(PostgresServer pg, String schema, Path file) throws Exception {
        String psql = Files.isExecutable(Path.of("/usr/lib/postgresql/15/bin/psql")) ? "/usr/lib/postgresql/15/bin/psql" : "psql";
        ProcessBuilder pb = new ProcessBuilder(psql, "-X", "-q", "-v", "ON_ERROR_STOP=1",
                "-h", pg.host(), "-p", Integer.toString(pg.port()), "-U", pg.user(), "-d", pg.database(),
                "-c", "\\copy \"" + schema + "\".bench_spans_copy (" + COLUMNS + ") FROM '" + file + "'");
        pb.environment().put("PGPASSWORD", pg.password());
        pb.environment().put("PGSSLMODE", "disable");
        pb.redirectErrorStream(true);
        long start = System.nanoTime();
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("psql \\copy failed: " + out);
        }
        return seconds(start);
    }

    private static double seconds(long startNanos) {
        return Math.max(1e-9, (System.nanoTime() - startNanos) / 1e9);
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("benchmark check failed: " + what);
        }
    }

    private static void exec(DataSource ds, String sql) throws Exception {
        try (Connection c = ds.getConnection()) {
            exec(c, sql);
        }
    }

    private static void exec(Connection c, String sql) throws Exception {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static String query(DataSource ds, String sql) throws Exception {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
