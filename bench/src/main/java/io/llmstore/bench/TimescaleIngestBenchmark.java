package io.llmstore.bench;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.usage.BufferedUsageWriter;
import io.llmstore.core.usage.UsageMetric;
import io.llmstore.testkit.PostgresServer;
import io.llmstore.timescale.usage.TimescaleUsageWriter;
import io.llmstore.timescale.usage.WriteMode;
import java.io.BufferedWriter;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * Usage ingest on real PostgreSQL 15:
 * <ol>
 * <li>the bulk path ({@link TimescaleUsageWriter} in COPY mode, idempotent: COPY into a temp table, then
 *     {@code INSERT ... ON CONFLICT DO NOTHING}) against {@code psql \copy} of the same rows, from a CSV file, into a
 *     table of the same shape (same columns, same unique key and indexes, created with LIKE ... INCLUDING ALL);
 *     goal >= 0.8x;</li>
 * <li>the async {@link BufferedUsageWriter} (one caller thread) against the seeds' pattern: one autocommit
 *     {@code INSERT} per row on one connection; goal >= 30x. Measured with the server's fsync off (the test
 *     cluster's setting) and on (a real server's), switched with ALTER SYSTEM + reload and restored after.</li>
 * </ol>
 * Best of two rounds for each side; tables truncated between rounds.
 */
public final class TimescaleIngestBenchmark implements Benchmark {
    private static final String COLUMNS = "time, model_id, provider, request_count, token_input, token_output, "
            + "token_total, cost_usd, avg_latency_ms, error_count, success_count, user_id, application_id, "
            + "environment, metadata, event_id";

    @Override
    public String name() {
        return "timescale-ingest";
    }

    @Override
    public List<Measure> run(BenchServers servers, boolean smoke) throws Exception {
        PostgresServer pg = servers.postgres();
        int bulkRows = smoke ? 5_000 : 500_000;
        int asyncRows = smoke ? 5_000 : 300_000;
        int perRowRows = smoke ? 500 : 20_000;
        String schema = "bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        List<Measure> measures = new ArrayList<>();
        StorageConfig config = StorageConfig.builder().databaseUrl(pg.databaseUrl()).poolMaxConnections(4)
                .set("DB_SCHEMA", schema).set("DB_MIGRATE_ON_START", "true").set("DB_TIMESCALEDB", "off").set("DB_WRITE_MODE", "copy")
                .set("USAGE_FLUSH_SIZE", "10000").set("USAGE_BUFFER_CAPACITY", "200000").build();
        try (StoragePool pool = StoragePool.create(config)) {
            DataSource ds = pool.client(DataSource.class).orElseThrow();
            exec(ds, "CREATE TABLE bench_psql_copy (LIKE llm_usage_metrics INCLUDING ALL)");
            exec(ds, "CREATE TABLE bench_per_row (LIKE llm_usage_metrics INCLUDING ALL)");
            boolean fsync = "on".equals(query(ds, "SHOW fsync"));
            try {
                // 1. Bulk path vs psql \copy.
                double psqlRate = bulkIngest(pg, schema, pool, rows(bulkRows), measures);
                // The same on TimescaleDB: both tables are hypertables with daily chunks.
                bulkIngestOnTimescale(servers.timescale(), bulkRows, measures);

                // 2. Async buffered writer vs per-row autocommit INSERT, with fsync off and on.
                for (String setting : List.of("off", "on")) {
                    setFsync(ds, setting);
                    double perRow = 0;
                    double async = 0;
                    for (int round = 0; round < 2; round++) {
                        exec(ds, "TRUNCATE llm_usage_metrics");
                        exec(ds, "TRUNCATE bench_per_row");
                        perRow = Math.max(perRow, perRowRows / perRowInserts(pg, schema, generate(perRowRows, 2)));
                        List<UsageMetric> asyncInput = generate(asyncRows, 3 + round);
                        BufferedUsageWriter buffer = pool.usage().buffered();
                        long start = System.nanoTime();
                        for (UsageMetric m : asyncInput) {
                            buffer.record(m);
                        }
                        buffer.flush();
                        async = Math.max(async, asyncRows / seconds(start));
                        check(Long.parseLong(query(ds, "SELECT count(*) FROM llm_usage_metrics")) == asyncRows, "async rows");
                    }
                    measures.add(Measure.ratioAtLeast("usage async writer vs per-row autocommit INSERT, fsync=" + setting,
                            "rows/s", async, perRow, "per-row INSERT, 1 connection", 30,
                            "PostgreSQL 15, fsync=" + setting + ", 1 caller thread each; async: " + asyncRows
                                    + " rows, flush size 10000, COPY; baseline: " + perRowRows + " rows; server ceiling"
                                    + " for this table shape: psql \\copy " + Math.round(psqlRate) + " rows/s = "
                                    + String.format(Locale.ROOT, "%.1f", psqlRate / perRow) + "x the baseline"));
                }
            } finally {
                setFsync(ds, fsync ? "on" : "off");
                exec(ds, "SET search_path TO public");
                exec(ds, "DROP SCHEMA \"" + schema + "\" CASCADE");
            }
        }
        return measures;
    }

    /**
     * Bulk path vs psql \copy of the same rows into a table of the same shape, best of two rounds; adds the measure
     * and returns psql's rate (the server's ceiling for this table).
     */
    private static double bulkIngest(PostgresServer pg, String schema, StoragePool pool, List<UsageMetric> rows,
                                     List<Measure> measures) throws Exception {
        DataSource ds = pool.client(DataSource.class).orElseThrow();
        TimescaleUsageWriter writer = pool.client(TimescaleUsageWriter.class).orElseThrow();
        boolean fsync = "on".equals(query(ds, "SHOW fsync"));
        boolean hypertable = pg.isTimescale();
        int bulkRows = rows.size();
        Path csv = Files.createTempFile("llmstore-bench", ".csv");
        try {
            writeCsv(rows, csv);
            double ours = 0;
            double psql = 0;
            for (int round = 0; round < 2; round++) {
                exec(ds, "TRUNCATE llm_usage_metrics");
                exec(ds, "TRUNCATE bench_psql_copy");
                psql = Math.max(psql, bulkRows / psqlCopy(pg, schema, csv));
                long start = System.nanoTime();
                int stored = 0;
                for (int i = 0; i < rows.size(); i += 50_000) {
                    stored += writer.store(rows.subList(i, Math.min(rows.size(), i + 50_000)));
                }
                ours = Math.max(ours, bulkRows / seconds(start));
                check(stored == bulkRows, "COPY stored " + stored + " of " + bulkRows);
            }
            check(Long.parseLong(query(ds, "SELECT count(*) FROM bench_psql_copy")) == bulkRows, "psql rows");
            // Replay: idempotent, stores nothing.
            check(writer.store(rows.subList(0, Math.min(rows.size(), 50_000))) == 0, "replay stored rows");
            measures.add(Measure.ratioAtLeast("usage bulk ingest" + (hypertable ? " into a TimescaleDB hypertable" : "")
                            + ", COPY idempotent (" + writer.mode() + ") vs psql \\copy CSV", "rows/s", ours, psql,
                    "psql \\copy" + (hypertable ? " into a hypertable" : ""), 0.8,
                    (hypertable ? "TimescaleDB " + query(ds, "SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'")
                            + " on PostgreSQL 15, both tables hypertables with 1-day chunks" : "PostgreSQL 15")
                            + ", fsync=" + (fsync ? "on" : "off") + ", 1 client, " + bulkRows
                            + " rows over 7 days in batches of 50000, 16 columns, unique key + 4 indexes on both tables"));
            return psql;
        } finally {
            Files.deleteIfExists(csv);
        }
    }

    private static void bulkIngestOnTimescale(PostgresServer ts, int bulkRows, List<Measure> measures) throws Exception {
        String schema = "bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        StorageConfig config = StorageConfig.builder().databaseUrl(ts.databaseUrl()).poolMaxConnections(4)
                .set("DB_SCHEMA", schema).set("DB_MIGRATE_ON_START", "true").set("DB_WRITE_MODE", "copy")
                .set("DB_TIMESCALEDB", "on").build();
        try (StoragePool pool = StoragePool.create(config)) {
            DataSource ds = pool.client(DataSource.class).orElseThrow();
            exec(ds, "CREATE TABLE bench_psql_copy (LIKE llm_usage_metrics INCLUDING ALL)");
            exec(ds, "SELECT create_hypertable('bench_psql_copy', 'time', chunk_time_interval => INTERVAL '1 day',"
                    + " create_default_indexes => FALSE)");
            try {
                bulkIngest(ts, schema, pool, rows(bulkRows), measures);
            } finally {
                try (Connection c = ds.getConnection()) {
                    exec(c, "SET search_path TO public");
                    io.llmstore.testkit.Schemas.drop(c, schema);
                }
            }
        }
    }

    private static List<UsageMetric> rows(int n) {
        return generate(n, 1);
    }

    private static void setFsync(DataSource ds, String value) throws Exception {
        exec(ds, "ALTER SYSTEM SET fsync = " + ("on".equals(value) ? "on" : "off"));
        query(ds, "SELECT pg_reload_conf()");
        for (int i = 0; i < 50 && !value.equals(query(ds, "SHOW fsync")); i++) {
            Thread.sleep(100);
        }
    }

    /** Seconds for psql \copy of the CSV into bench_psql_copy. */
    private static double psqlCopy(PostgresServer pg, String schema, Path csv) throws Exception {
        String psql = Files.isExecutable(Path.of("/usr/lib/postgresql/15/bin/psql")) ? "/usr/lib/postgresql/15/bin/psql" : "psql";
        ProcessBuilder pb = new ProcessBuilder(psql, "-X", "-q", "-v", "ON_ERROR_STOP=1",
                "-h", pg.host(), "-p", Integer.toString(pg.port()), "-U", pg.user(), "-d", pg.database(),
                "-c", "\\copy \"" + schema + "\".bench_psql_copy (" + COLUMNS + ") FROM '" + csv + "' WITH (FORMAT csv)");
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

    /** Seconds for one autocommit INSERT per row on one connection (the seeds' pattern). */
    private static double perRowInserts(PostgresServer pg, String schema, List<UsageMetric> rows) throws Exception {
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password())) {
            exec(c, "SET search_path TO \"" + schema + "\", public");
            long start = System.nanoTime();
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO bench_per_row (" + COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?)")) {
                for (UsageMetric m : rows) {
                    ps.setTimestamp(1, Timestamp.from(m.time()));
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
                    ps.executeUpdate();
                }
            }
            return seconds(start);
        }
    }

    private static void writeCsv(List<UsageMetric> rows, Path file) throws Exception {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (UsageMetric m : rows) {
                w.write(m.time().toString());
                w.write(',');
                w.write(csv(m.modelId()));
                w.write(',');
                w.write(csv(m.provider()));
                w.write(',' + Long.toString(m.requestCount()) + ',' + m.tokenInput() + ',' + m.tokenOutput() + ','
                        + m.tokenTotal() + ',' + (m.costUsd() == null ? "" : m.costUsd().toPlainString()) + ','
                        + m.avgLatencyMs() + ',' + m.errorCount() + ',' + m.successCount() + ',');
                w.write(csv(m.userId()));
                w.write(',');
                w.write(csv(m.applicationId()));
                w.write(',');
                w.write(csv(m.environment()));
                w.write(',');
                w.write(csv(m.metadata()));
                w.write(',');
                w.write(m.eventId().toString());
                w.write('\n');
            }
        }
    }

    private static String csv(String s) {
        if (s == null) {
            return "";
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    /** Realistic rows: a few models, users, apps; costs with 6 decimals; a quarter carry metadata. */
    static List<UsageMetric> generate(int n, long seed) {
        String[][] models = {{"gpt-4o", "openai"}, {"gpt-4o-mini", "openai"}, {"claude-3-5-sonnet", "anthropic"},
            {"llama-3-70b", "groq"}, {"gemini-1.5-pro", "google"}};
        Random r = new Random(seed);
        Instant start = Instant.parse("2026-03-02T00:00:00Z");
        List<UsageMetric> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String[] mp = models[r.nextInt(models.length)];
            rows.add(UsageMetric.builder()
                    .eventId(new UUID(r.nextLong(), r.nextLong()))
                    .time(start.plusNanos(r.nextInt(7 * 86_400) * 1_000_000_000L + r.nextInt(1_000_000) * 1000L))
                    .model(mp[0]).provider(mp[1])
                    .tokens(r.nextInt(4000), r.nextInt(1500))
                    .costUsd(BigDecimal.valueOf(r.nextInt(5_000_000), 6))
                    .latencyMs(r.nextInt(500_000) / 100.0)
                    .user("user-" + r.nextInt(1000)).application("app-" + r.nextInt(5)).environment("prod")
                    .metadata(r.nextInt(4) == 0 ? "{\"route\": \"chat\", \"cache\": false}" : null)
                    .build());
        }
        return rows;
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
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

    /** Runs the benchmark once and prints the measures: {@code java ... TimescaleIngestBenchmark [smoke]}. */
    public static void main(String[] args) throws Exception {
        boolean smoke = args.length > 0 && args[0].equals("smoke");
        for (Measure m : new TimescaleIngestBenchmark().run(new BenchServers(), smoke)) {
            System.out.println(String.format(Locale.ROOT, "%s: ours %.0f %s, baseline (%s) %.0f, ratio %.2fx, goal %s, %s [%s]",
                    m.name(), m.ours(), m.unit(), m.baselineName(), m.baseline(), m.ratio(), m.goal(),
                    m.met() ? "MET" : "NOT MET", m.conditions()));
        }
    }
}
