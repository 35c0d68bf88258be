package io.llmstore.bench;

import io.llmstore.core.StoragePool;
import io.llmstore.core.buffer.BufferedWriter;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.usage.BufferedUsageWriter;
import io.llmstore.core.usage.UsageMetric;
import io.llmstore.core.usage.UsageSpoolCodec;
import io.llmstore.testkit.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * The buffered usage writer with its durable spool ({@code SPOOL_DURABILITY} {@code os} and {@code fsync}) against the
 * same writer without one ({@code none}), on real PostgreSQL 15, same rows, same callers, same run: {@code record()}
 * from many caller threads, then {@code flush()}, so the rate is what the application sees until every row is stored.
 * Modes alternate in each round (table truncated before each) and each is the median of its rounds. Also reported:
 * fsyncs per second under {@code fsync} (group commit), and spool bytes per row. Goals (issue 26): os >= 0.8x,
 * fsync >= 0.5x.
 */
public final class SpoolBenchmark implements Benchmark {
    private static final String[] MODES = {"none", "os", "fsync"};

    @Override
    public String name() {
        return "spool";
    }

    @Override
    public List<Measure> run(BenchServers servers, boolean smoke) throws Exception {
        PostgresServer pg = servers.postgres();
        int n = smoke ? 5_000 : 200_000;
        int rounds = smoke ? 1 : 3;
        int[] clientCounts = smoke ? new int[] {16} : new int[] {16, 64};
        String schema = "bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        Path spoolRoot = Files.createTempDirectory("llmstore-spool-bench");
        List<Measure> measures = new ArrayList<>();
        try {
            String fsyncSetting;
            try (StoragePool migrate = StoragePool.create(config(pg, schema, "none", spoolRoot))) {
                fsyncSetting = query(migrate.client(DataSource.class).orElseThrow(), "SHOW fsync");
            }
            List<UsageMetric> rows = TimescaleIngestBenchmark.generate(n, 26);
            double syncMicros = fdatasyncMicros(spoolRoot);
            for (int clients : clientCounts) {
                double[][] rates = new double[MODES.length][rounds];
                double[] fsyncRates = new double[rounds];
                for (int round = 0; round < rounds; round++) {
                    for (int m = 0; m < MODES.length; m++) {
                        Result r = runOnce(pg, schema, MODES[m], spoolRoot, rows, clients);
                        rates[m][round] = r.rowsPerSecond;
                        if (MODES[m].equals("fsync")) {
                            fsyncRates[round] = r.fsyncsPerSecond;
                        }
                    }
                }
                double none = median(rates[0]);
                String conditions = "PostgreSQL 15 (server fsync=" + fsyncSetting + "), " + n + " rows, " + clients
                        + " caller threads record() then flush(), capacity 200000, flush size 10000, spool disk: one"
                        + " 200-byte write + fdatasync takes " + Math.round(syncMicros) + " us (measured here); median of " + rounds + " alternating rounds; ";
                measures.add(Measure.ratioAtLeast("usage buffered writer with SPOOL_DURABILITY=os vs no spool, "
                        + clients + " callers", "rows/s", median(rates[1]), none, "the same writer, no spool", 0.8,
                        conditions + "os rounds " + Arrays.toString(round(rates[1])) + ", none rounds "
                                + Arrays.toString(round(rates[0]))));
                measures.add(Measure.ratioAtLeast("usage buffered writer with SPOOL_DURABILITY=fsync (group commit) vs no"
                        + " spool, " + clients + " callers", "rows/s", median(rates[2]), none, "the same writer, no spool",
                        0.5, conditions + "SPOOL_GROUP_COMMIT_INTERVAL 1ms, ROWS 1000; fsync rounds "
                                + Arrays.toString(round(rates[2]))));
                measures.add(Measure.absolute("spool fsyncs per second (group commit), " + clients + " callers",
                        "fsyncs/s", median(fsyncRates), "informational", true,
                        "rows per fsync = rows/s / fsyncs/s = " + Math.round(median(rates[2]) / Math.max(1, median(fsyncRates)))));
            }
            measures.add(Measure.absolute("spool bytes per usage row", "bytes/row", bytesPerRow(rows), "informational",
                    true, "UsageSpoolCodec payload + 8-byte record header (length, CRC32C), rows of the ingest benchmark"));
        } finally {
            try (StoragePool drop = StoragePool.create(config(pg, schema, "none", spoolRoot))) {
                DataSource ds = drop.client(DataSource.class).orElseThrow();
                exec(ds, "SET search_path TO public");
                exec(ds, "DROP SCHEMA \"" + schema + "\" CASCADE");
            }
            deleteTree(spoolRoot);
        }
        return measures;
    }

    private record Result(double rowsPerSecond, double fsyncsPerSecond) {
    }

    private static Result runOnce(PostgresServer pg, String schema, String mode, Path spoolRoot, List<UsageMetric> rows,
                                  int clients) throws Exception {
        try (StoragePool pool = StoragePool.create(config(pg, schema, mode, spoolRoot))) {
            DataSource ds = pool.client(DataSource.class).orElseThrow();
            exec(ds, "TRUNCATE llm_usage_metrics");
            BufferedUsageWriter buffer = pool.usage().buffered();
            long fsyncsBefore = buffer.spoolStats().map(BufferedWriter.SpoolStats::fsyncs).orElse(0L);
            Thread[] threads = new Thread[clients];
            long start = System.nanoTime();
            for (int t = 0; t < clients; t++) {
                int from = rows.size() * t / clients;
                int to = rows.size() * (t + 1) / clients;
                threads[t] = new Thread(() -> {
                    for (int i = from; i < to; i++) {
                        buffer.record(rows.get(i));
                    }
                });
                threads[t].start();
            }
            for (Thread t : threads) {
                t.join();
            }
            buffer.flush();
            double seconds = (System.nanoTime() - start) / 1e9;
            long fsyncs = buffer.spoolStats().map(BufferedWriter.SpoolStats::fsyncs).orElse(0L) - fsyncsBefore;
            long stored = Long.parseLong(query(ds, "SELECT count(*) FROM llm_usage_metrics"));
            if (stored != rows.size()) {
                throw new IllegalStateException("benchmark check failed: " + mode + " stored " + stored + " of " + rows.size());
            }
            return new Result(rows.size() / seconds, fsyncs / seconds);
        }
    }

    private static StorageConfig config(PostgresServer pg, String schema, String mode, Path spoolRoot) {
        return StorageConfig.builder().databaseUrl(pg.databaseUrl()).poolMaxConnections(4)
                .set("DB_SCHEMA", schema).set("DB_MIGRATE_ON_START", "true").set("DB_TIMESCALEDB", "off")
                .set("DB_WRITE_MODE", "copy").set("USAGE_FLUSH_SIZE", "10000").set("USAGE_BUFFER_CAPACITY", "200000")
                .set("USAGE_SHUTDOWN_FLUSH_TIMEOUT", "0")
                .set("SPOOL_DIR", spoolRoot.resolve(mode).toString()).set("SPOOL_DURABILITY", mode).build();
    }

    /** What one small write + fdatasync costs on the spool's disk: the floor of a group commit. */
    private static double fdatasyncMicros(Path dir) throws Exception {
        Path file = dir.resolve("fdatasync-probe");
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(200);
            int n = 200;
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                b.clear();
                ch.write(b, (long) i * 200);
                ch.force(false);
            }
            return (System.nanoTime() - start) / 1e3 / n;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static double bytesPerRow(List<UsageMetric> rows) {
        long bytes = 0;
        for (UsageMetric m : rows) {
            bytes += UsageSpoolCodec.INSTANCE.encode(m).length + 8;
        }
        return bytes / (double) rows.size();
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

    private static void deleteTree(Path root) throws Exception {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Runs the benchmark once and prints the measures: {@code java ... SpoolBenchmark [smoke]}. */
    public static void main(String[] args) throws Exception {
        boolean smoke = args.length > 0 && args[0].equals("smoke");
        for (Measure m : new SpoolBenchmark().run(new BenchServers(), smoke)) {
            System.out.println(String.format(Locale.ROOT, "%s: ours %.0f %s, baseline (%s) %.0f, ratio %.2fx, goal %s, %s [%s]",
                    m.name(), m.ours(), m.unit(), m.baselineName(), m.baseline(), m.ratio(), m.goal(),
                    m.met() ? "MET" : "NOT MET", m.conditions()));
        }
    }
}
