package io.llmstore.bench;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.usage.BufferedUsageWriter;
import io.llmstore.core.usage.UsageMetric;
import io.llmstore.testkit.PostgresServer;
import io.llmstore.timescale.usage.TimescaleUsageWriter;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The async buffered usage writer ({@code pool.usage().buffered()}: {@code record} on one caller thread, then
 * {@code flush}) against the synchronous bulk path of the same pool on the same rows ({@link BulkIngest}: the
 * {@link TimescaleUsageWriter} in COPY mode, batches of 50,000, which prepares each row once), on real PostgreSQL 15.
 * The ratio shows what the buffer costs over the bulk path: both prepare each row (metadata JSON check, time range,
 * cost fill) and COPY it; the buffer adds the queue and its flusher thread.
 *
 * <p>Two row sets: the ingest benchmark's rows (costs given, a quarter with a 36-byte metadata object) and rich rows
 * (every row a ~330-byte metadata object and no cost, priced by the bundled catalog: {@code USAGE_FILL_MISSING_COST}).
 * Each side alternates with the other in five rounds (table truncated before each), and each is the median of its
 * rounds, because the machine may be shared; the conditions add each side's JVM CPU time per row, which a shared
 * machine disturbs less than wall-clock rates. A third row reports what {@link TimescaleUsageWriter#prepare} costs per
 * rich row on one thread (best of five passes): the work a second preparation on the flusher would repeat.
 */
public final class BufferedWriterBenchmark implements Benchmark {
    @Override
    public String name() {
        return "buffered-writer";
    }

    @Override
    public List<Measure> run(BenchServers servers, boolean smoke) throws Exception {
        PostgresServer pg = servers.postgres();
        int n = smoke ? 5_000 : 200_000;
        int rounds = smoke ? 1 : 5;
        List<Measure> measures = new ArrayList<>();
        String schema = "bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        StorageConfig config = StorageConfig.builder().databaseUrl(pg.databaseUrl()).poolMaxConnections(4)
                .set("DB_SCHEMA", schema).set("DB_MIGRATE_ON_START", "true").set("DB_TIMESCALEDB", "off")
                .set("DB_WRITE_MODE", "copy").set("USAGE_FILL_MISSING_COST", "true")
                .set("USAGE_FLUSH_SIZE", "10000").set("USAGE_BUFFER_CAPACITY", "200000").build();
        try (StoragePool pool = StoragePool.create(config)) {
            DataSource ds = pool.client(DataSource.class).orElseThrow();
            TimescaleUsageWriter writer = pool.client(TimescaleUsageWriter.class).orElseThrow();
            String fsync = query(ds, "SHOW fsync");
            try {
                List<List<UsageMetric>> plain = new ArrayList<>();
                List<List<UsageMetric>> rich = new ArrayList<>();
                for (int round = 0; round < rounds; round++) {
                    plain.add(TimescaleIngestBenchmark.generate(n, 40 + round));
                    rich.add(rich(n, 50 + round));
                }
                measures.add(compare("plain rows", pool, ds, writer, plain, fsync));
                measures.add(compare("rich rows (330-byte metadata, cost filled from the catalog)", pool, ds, writer,
                        rich, fsync));
                measures.add(prepareCost(writer, rich.get(0)));
            } finally {
                exec(ds, "SET search_path TO public");
                exec(ds, "DROP SCHEMA \"" + schema + "\" CASCADE");
            }
        }
        return measures;
    }

    private static Measure compare(String what, StoragePool pool, DataSource ds, TimescaleUsageWriter writer,
                                   List<List<UsageMetric>> sets, String fsync) throws Exception {
        int rounds = sets.size();
        double[] buffered = new double[rounds];
        double[] bulk = new double[rounds];
        double[] bufferedCpu = new double[rounds];
        double[] bulkCpu = new double[rounds];
        BufferedUsageWriter buffer = pool.usage().buffered();
        for (int round = 0; round < rounds; round++) {
            List<UsageMetric> rows = sets.get(round);
            exec(ds, "TRUNCATE llm_usage_metrics");
            long cpu = processCpuNanos();
            bulk[round] = BulkIngest.rowsPerSecond(writer, rows);
            bulkCpu[round] = (processCpuNanos() - cpu) / (double) rows.size();
            exec(ds, "TRUNCATE llm_usage_metrics");
            cpu = processCpuNanos();
            long start = System.nanoTime();
            for (UsageMetric m : rows) {
                buffer.record(m);
            }
            buffer.flush();
            buffered[round] = rows.size() / ((System.nanoTime() - start) / 1e9);
            bufferedCpu[round] = (processCpuNanos() - cpu) / (double) rows.size();
            long stored = Long.parseLong(query(ds, "SELECT count(*) FROM llm_usage_metrics"));
            if (stored != rows.size()) {
                throw new IllegalStateException("benchmark check failed: buffered writer stored " + stored + " of "
                        + rows.size());
            }
        }
        return Measure.ratioAtLeast("usage buffered writer vs synchronous bulk path, " + what, "rows/s",
                median(buffered), median(bulk), "synchronous recordAll, COPY, batches of " + BulkIngest.BATCH, 0.8,
                "PostgreSQL 15, fsync=" + fsync + ", " + sets.get(0).size() + " rows, 1 caller thread, flush size 10000,"
                        + " capacity 200000, COPY; median of " + rounds + " alternating rounds; buffered rounds "
                        + Arrays.toString(round(buffered)) + ", bulk rounds " + Arrays.toString(round(bulk))
                        + "; JVM CPU per row (all threads, less sensitive to a shared machine than rows/s): buffered "
                        + Math.round(median(bufferedCpu)) + " ns, bulk " + Math.round(median(bulkCpu)) + " ns");
    }

    private static Measure prepareCost(TimescaleUsageWriter writer, List<UsageMetric> rows) {
        double best = Double.MAX_VALUE;
        long sink = 0;
        for (int pass = 0; pass < 5; pass++) {
            long start = System.nanoTime();
            for (UsageMetric m : rows) {
                sink += writer.prepare(m).tokenTotal();
            }
            best = Math.min(best, (System.nanoTime() - start) / (double) rows.size());
        }
        if (sink == 42) {
            System.out.print(""); // keeps the loop's result alive
        }
        return Measure.absolute("usage writer prepare() per rich row (metadata JSON check + catalog price)", "ns/row",
                best, "informational", true, "1 thread, " + rows.size() + " rows, best of 5 passes; the buffered path"
                        + " pays it once per row at record()");
    }

    /** Rows as an instrumented application sends them: a request's metadata, no cost (the writer prices them). */
    static List<UsageMetric> rich(int n, long seed) {
        List<UsageMetric> base = TimescaleIngestBenchmark.generate(n, seed);
        List<UsageMetric> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            UsageMetric m = base.get(i);
            String metadata = String.format(Locale.ROOT, "{\"route\": \"/v1/chat/completions\", \"request_id\": \"%s\","
                    + " \"session\": \"s-%d\", \"temperature\": 0.7, \"stream\": true, \"tags\": [\"support\", \"tier-2\","
                    + " \"eu-west\"], \"client\": {\"sdk\": \"llmstore-java\", \"version\": \"0.1.0\"},"
                    + " \"prompt_template\": \"support-answer-v3\", \"retries\": %d, \"cache\": false}",
                    m.eventId(), i % 977, i % 3);
            rows.add(m.toBuilder().costUsd(null).priceSource(null).metadata(metadata).build());
        }
        return rows;
    }

    /** CPU time of every thread of this JVM so far (the client's side of the work; the server's is not in it). */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static long[] round(double[] values) {
        return Arrays.stream(values).mapToLong(Math::round).toArray();
    }

    private static void exec(DataSource ds, String sql) throws Exception {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static String query(DataSource ds, String sql) throws Exception {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** Runs the benchmark once and prints the measures: {@code java ... BufferedWriterBenchmark [smoke]}. */
    public static void main(String[] args) throws Exception {
        boolean smoke = args.length > 0 && args[0].equals("smoke");
        for (Measure m : new BufferedWriterBenchmark().run(new BenchServers(), smoke)) {
            System.out.println(String.format(Locale.ROOT, "%s: ours %.0f %s, baseline (%s) %.0f, ratio %.2fx, goal %s, %s [%s]",
                    m.name(), m.ours(), m.unit(), m.baselineName(), m.baseline(), m.ratio(), m.goal(),
                    m.met() ? "MET" : "NOT MET", m.conditions()));
        }
    }
}
