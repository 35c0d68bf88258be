package io.llmstore.bench;

import io.llmstore.core.buffer.BufferedWriter;
import io.llmstore.testkit.TcpProxy;
import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.error.BufferFullException;
import io.llmstore.core.usage.BufferedUsageWriter;
import io.llmstore.core.usage.UsageMetric;
import io.llmstore.testkit.PostgresServer;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The async usage writer's memory while the database is unreachable under load, against its configured cap
 * ({@code USAGE_BUFFER_CAPACITY}). Goal: the buffered row count never exceeds the cap, and no accepted row is lost.
 *
 * <p>A pool on real PostgreSQL 15 reaches the server through an {@link TcpProxy}; producer threads offer rows at a
 * steady rate to {@code pool.usage().buffered()} (policy {@code reject}: a full buffer fails {@code record} at once with
 * {@code BufferFullException}, so the offered rate stays steady and the rejects are counted). After a warm-up the
 * proxy cuts every connection and refuses new ones for the outage, then forwards again; producers keep going for a
 * while, then stop. Sampled every 100 ms: the writer's buffered rows ({@code stats().buffered()}: buffer plus the
 * batch held for retry) and the JVM's used heap. Finally, read directly from the server: every row accepted by
 * {@code record} must be in the table exactly once.
 */
public final class WriterOutageBenchmark implements Benchmark {
    private static final int PRODUCERS = 2;

    @Override
    public String name() {
        return "writer-outage-memory";
    }

    @Override
    public List<Measure> run(BenchServers servers, boolean smoke) throws Exception {
        return run(servers, smoke ? RunMode.SMOKE : RunMode.DEFAULT);
    }

    @Override
    public List<Measure> run(BenchServers servers, RunMode mode) throws Exception {
        boolean smoke = mode == RunMode.SMOKE;
        int capacity = smoke ? 10_000 : 50_000;
        int flushSize = smoke ? 1_000 : 5_000;
        int rate = smoke ? 10_000 : 20_000; // rows/s offered, all producers together
        Duration warmup = Duration.ofSeconds(smoke ? 1 : 5);
        Duration outage = Duration.ofSeconds(switch (mode) {
            case SMOKE -> 3;
            case DEFAULT -> 60;
            case LONG -> 300;
        });
        Duration recovery = Duration.ofSeconds(smoke ? 1 : 5);

        PostgresServer pg = servers.postgres();
        String schema = "bench_outage_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
        try (TcpProxy proxy = TcpProxy.to(pg.host(), pg.port())) {
            String direct = "@" + pg.host() + ":" + pg.port() + "/";
            if (!pg.databaseUrl().contains(direct)) {
                throw new IllegalStateException("cannot point DATABASE_URL at the proxy: no '" + direct + "' in it");
            }
            String viaProxy = pg.databaseUrl().replace(direct, "@127.0.0.1:" + proxy.port() + "/");
            StorageConfig config = StorageConfig.builder().databaseUrl(viaProxy).poolMaxConnections(4)
                    .set("DB_SCHEMA", schema).set("DB_MIGRATE_ON_START", "true").set("DB_TIMESCALEDB", "off")
                    .set("DB_POOL_CONNECT_TIMEOUT", "2s")
                    .set("USAGE_BUFFER_CAPACITY", Integer.toString(capacity))
                    .set("USAGE_FLUSH_SIZE", Integer.toString(flushSize))
                    .set("USAGE_BUFFER_FULL_POLICY", "reject").build();
            Result r;
            try {
                try (StoragePool pool = StoragePool.create(config)) {
                    r = drive(pool.usage().buffered(), proxy, rate, warmup, outage, recovery);
                }
                long[] stored = countStored(pg, schema);
                r = r.withStored(stored[0], stored[1]);
            } finally {
                proxy.resume();
                dropSchema(pg, schema);
            }
            return measures(r, capacity, flushSize, rate, outage);
        }
    }

    private static List<Measure> measures(Result r, int capacity, int flushSize, int rate, Duration outage) {
        String common = String.format(Locale.ROOT, "PostgreSQL 15 (fsync=off) behind a TCP proxy that resets and "
                + "refuses connections for %d s; USAGE_BUFFER_CAPACITY=%d, USAGE_FLUSH_SIZE=%d, policy reject, "
                + "DB_POOL_CONNECT_TIMEOUT=2s, DB_RETRY_* defaults; %d producer threads offering %d rows/s in all "
                + "(achieved %.0f rows/s during the outage); sampled every 100 ms",
                outage.toSeconds(), capacity, flushSize, PRODUCERS, rate, r.outageOfferedRate);
        long lost = r.accepted - r.distinctStored;
        long duplicates = r.stored - r.distinctStored;
        List<Measure> m = new ArrayList<>();
        m.add(new Measure("async writer max buffered rows, database down under load", "rows", r.maxBuffered,
                capacity, "USAGE_BUFFER_CAPACITY (the configured cap)", "<= 1.0x", r.maxBuffered <= capacity,
                common + "; buffered = stats().buffered(): queued + being written + held for retry; " + r.samples + " samples"));
        m.add(new Measure("JVM used-heap growth during the outage, peak", "MB", r.peakHeapGrowthMb, Double.NaN,
                "none (diagnostic: the row cap is the bound)", "none (diagnostic)", true,
                common + String.format(Locale.ROOT, "; peak used heap minus used heap after a GC at outage start "
                        + "(includes uncollected garbage of rejected rows); retained after a GC at outage end: "
                        + "%.1f MB for %d buffered rows (%.0f bytes/row)", r.retainedGrowthMb, r.bufferedAtEnd,
                        r.bufferedAtEnd > 0 ? r.retainedGrowthMb * 1024 * 1024 / r.bufferedAtEnd : 0)));
        m.add(new Measure("rows rejected (BufferFullException) while the database was down", "rows", r.rejected,
                r.offered, "rows offered in the whole run", "none (diagnostic: back-pressure)", true,
                common + "; accepted " + r.accepted + " of " + r.offered + " offered"));
        m.add(new Measure("accepted rows stored exactly once after recovery", "rows", r.distinctStored, r.accepted,
                "rows accepted by record()", "= 1.0x (0 lost, 0 duplicated)",
                r.distinctStored == r.accepted && r.stored == r.accepted,
                common + String.format(Locale.ROOT, "; lost %d, duplicated %d, writer dropped %d, poison %d; "
                        + "backlog written %.1f s after the server came back (producers still running)", lost,
                        duplicates, r.dropped, r.poison, r.drainSeconds)));
        return m;
    }

    /** The run: warm-up, outage, recovery, stop, flush; returns what was sampled and counted. */
    private static Result drive(BufferedUsageWriter writer, TcpProxy proxy, int rate, Duration warmup,
                                Duration outage, Duration recovery) throws Exception {
        AtomicLong offered = new AtomicLong();
        AtomicLong accepted = new AtomicLong();
        AtomicLong rejected = new AtomicLong();
        List<Producer> producers = new ArrayList<>();
        for (int i = 0; i < PRODUCERS; i++) {
            producers.add(new Producer(writer, i, (double) rate / PRODUCERS, offered, accepted, rejected));
        }
        producers.forEach(Producer::start);
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long maxBuffered = 0;
        long maxHeap = 0;
        int samples = 0;
        try {
            sleep(warmup);
            System.gc();
            long heapAtStart = memory.getHeapMemoryUsage().getUsed();
            long offeredAtStart = offered.get();
            proxy.refuseNew();
            long outageStart = System.nanoTime();
            long outageEnd = outageStart + outage.toNanos();
            while (System.nanoTime() < outageEnd) {
                maxBuffered = Math.max(maxBuffered, writer.stats().buffered());
                maxHeap = Math.max(maxHeap, memory.getHeapMemoryUsage().getUsed());
                samples++;
                LockSupport.parkNanos(100_000_000L);
            }
            double outageOfferedRate = (offered.get() - offeredAtStart) / ((System.nanoTime() - outageStart) / 1e9);
            long bufferedAtEnd = writer.stats().buffered();
            System.gc();
            long heapAtEnd = memory.getHeapMemoryUsage().getUsed();
            maxBuffered = Math.max(maxBuffered, bufferedAtEnd);
            proxy.resume();
            long restored = System.nanoTime();
            long backlog = writer.stats().accepted(); // every row accepted before the server came back
            double drainSeconds = Double.NaN;
            long recoveryEnd = restored + recovery.toNanos();
            long drainDeadline = restored + Duration.ofMinutes(2).toNanos();
            while (System.nanoTime() < recoveryEnd || (Double.isNaN(drainSeconds) && System.nanoTime() < drainDeadline)) {
                BufferedWriter.Stats s = writer.stats();
                maxBuffered = Math.max(maxBuffered, s.buffered());
                samples++;
                if (Double.isNaN(drainSeconds) && s.written() + s.dropped() + s.poison() >= backlog) {
                    drainSeconds = (System.nanoTime() - restored) / 1e9;
                }
                LockSupport.parkNanos(100_000_000L);
            }
            stop(producers);
            flushUntilStored(writer, Duration.ofMinutes(2));
            BufferedWriter.Stats s = writer.stats();
            if (s.accepted() != accepted.get()) {
                throw new IllegalStateException("writer accepted " + s.accepted() + " rows, producers counted "
                        + accepted.get());
            }
            return new Result(offered.get(), accepted.get(), rejected.get(), maxBuffered, samples,
                    (maxHeap - heapAtStart) / 1048576.0, (heapAtEnd - heapAtStart) / 1048576.0, bufferedAtEnd,
                    outageOfferedRate, drainSeconds, s.dropped(), s.poison(), 0, 0);
        } finally {
            stop(producers);
        }
    }

    private static void flushUntilStored(BufferedUsageWriter writer, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            try {
                writer.flush();
                return;
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the writer could not flush within " + limit + " after the outage", e);
                }
                Thread.sleep(200);
            }
        }
    }

    private static void stop(List<Producer> producers) throws InterruptedException {
        for (Producer p : producers) {
            p.running = false;
        }
        for (Producer p : producers) {
            p.join(10_000);
        }
    }

    private static long[] countStored(PostgresServer pg, String schema) throws Exception {
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*), count(DISTINCT event_id) FROM \"" + schema
                     + "\".llm_usage_metrics")) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2)};
        }
    }

    private static void dropSchema(PostgresServer pg, String schema) {
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
             Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
        } catch (Exception e) {
            // best effort: the schema name is random
        }
    }

    private static void sleep(Duration d) throws InterruptedException {
        Thread.sleep(d.toMillis());
    }

    /** Offers rows at a steady rate (paced every millisecond) until stopped; counts offered, accepted, rejected. */
    private static final class Producer extends Thread {
        private final BufferedUsageWriter writer;
        private final long tag;
        private final double perSecond;
        private final AtomicLong offered;
        private final AtomicLong accepted;
        private final AtomicLong rejected;
        private volatile boolean running = true;

        Producer(BufferedUsageWriter writer, int index, double perSecond, AtomicLong offered, AtomicLong accepted,
                 AtomicLong rejected) {
            super("bench-outage-producer-" + index);
            setDaemon(true);
            this.writer = writer;
            this.tag = ThreadLocalRandom.current().nextLong() << 8 | index;
            this.perSecond = perSecond;
            this.offered = offered;
            this.accepted = accepted;
            this.rejected = rejected;
        }

        @Override
        public void run() {
            Random r = new Random(tag);
            long start = System.nanoTime();
            long sent = 0;
            Instant t0 = Instant.now();
            while (running) {
                long due = (long) ((System.nanoTime() - start) / 1e9 * perSecond);
                for (; sent < due && running; sent++) {
                    offered.incrementAndGet();
                    try {
                        writer.record(row(r, new UUID(tag, sent), t0.plusMillis(sent)));
                        accepted.incrementAndGet();
                    } catch (BufferFullException e) {
                        rejected.incrementAndGet();
                    }
                }
                LockSupport.parkNanos(1_000_000L);
            }
        }
    }

    /** A realistic row, as {@link TimescaleIngestBenchmark#generate} makes them, with the given id and time. */
    static UsageMetric row(Random r, UUID eventId, Instant time) {
        boolean openai = r.nextBoolean();
        return UsageMetric.builder().eventId(eventId).time(time)
                .model(openai ? "gpt-4o-mini" : "claude-3-5-sonnet").provider(openai ? "openai" : "anthropic")
                .tokens(r.nextInt(4000), r.nextInt(1500))
                .costUsd(BigDecimal.valueOf(r.nextInt(5_000_000), 6))
                .latencyMs(r.nextInt(500_000) / 100.0)
                .user("user-" + r.nextInt(1000)).application("app-" + r.nextInt(5)).environment("prod")
                .metadata(r.nextInt(4) == 0 ? "{\"route\": \"chat\", \"cache\": false}" : null)
                .build();
    }

    private record Result(long offered, long accepted, long rejected, long maxBuffered, int samples,
                          double peakHeapGrowthMb, double retainedGrowthMb, long bufferedAtEnd,
                          double outageOfferedRate, double drainSeconds, long dropped, long poison, long stored,
                          long distinctStored) {
        Result withStored(long count, long distinct) {
            return new Result(offered, accepted, rejected, maxBuffered, samples, peakHeapGrowthMb, retainedGrowthMb,
                    bufferedAtEnd, outageOfferedRate, drainSeconds, dropped, poison, count, distinct);
        }
    }

    /** Runs the benchmark once and prints the measures: {@code java ... WriterOutageBenchmark [smoke]}. */
    public static void main(String[] args) throws Exception {
        boolean smoke = args.length > 0 && args[0].equals("smoke");
        for (Measure m : new WriterOutageBenchmark().run(new BenchServers(), smoke)) {
            System.out.println(m);
        }
    }
}
