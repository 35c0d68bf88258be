package io.llmstore.bench.kafka;

import io.llmstore.bench.BenchServers;
import io.llmstore.bench.Benchmark;
import io.llmstore.bench.BulkIngest;
import io.llmstore.bench.Measure;
import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.event.LlmEvent;
import io.llmstore.core.usage.UsageMetric;
import io.llmstore.kafka.ConsumerStats;
import io.llmstore.kafka.KafkaOptions;
import io.llmstore.kafka.KafkaSink;
import io.llmstore.kafka.internal.ClientProperties;
import io.llmstore.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicListing;

/**
 * Kafka to PostgreSQL and to a TimescaleDB hypertable end to end: the pool's {@link KafkaSink} draining N events from the events topic into
 * {@code llm_usage_metrics}, against the bulk ingest path into the very same table on the same server in the same
 * run (the synchronous usage writer's {@code recordAll} in batches of 50,000, COPY, idempotent; the rows are the
 * sink's own conversion of the same events). Goal: sink >= 0.5x bulk.
 *
 * <p>N events are published (acks=all) into a fresh prefixed 6-partition topic before any timing; then a sink (one
 * instance, a fresh consumer group, reading from the earliest offset) is started and timed from {@code start()} until
 * a {@code count(*)} polled every 50 ms sees N rows. Measured twice: with the default
 * {@code KAFKA_CONSUMER_MAX_POLL_RECORDS=500} (Kafka's default) and 5000 (llmstore's default: fewer, larger COPY batches and commits). The table is
 * truncated between runs; the bulk baseline is the best of two rounds (one before each sink run).
 */
public final class KafkaSinkBenchmark implements Benchmark {
    @Override
    public String name() {
        return "kafka-sink";
    }

    @Override
    public List<Measure> run(BenchServers servers, boolean smoke) throws Exception {
        int n = smoke ? 3_000 : 200_000;
        PostgresServer pg = servers.postgres();
        String bootstrap = servers.kafka().bootstrapServers();
        String id = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
        String prefix = "bench-sink-" + id + "-";
        String schema = "bench_sink_" + id;
        List<LlmEvent> events = KafkaPublishBenchmark.events(n);
        List<UsageMetric> rows = new ArrayList<>(n);
        for (LlmEvent e : events) {
            rows.add(KafkaSink.toUsageMetric(e));
        }
        List<Measure> measures = new ArrayList<>();
        // PostgreSQL with both poll sizes, then the TimescaleDB hypertable with llmstore's default.
        List<Lane> lanes = List.of(new Lane(pg, 500), new Lane(pg, 5000), new Lane(servers.timescale(), 5000));
        double bulk = 0;
        boolean published = false;
        PostgresServer previous = null;
        try {
            for (Lane lane : lanes) {
                int maxPoll = lane.maxPoll();
                boolean firstOnServer = lane.server() != previous;
                if (firstOnServer) {
                    if (previous != null) {
                        dropSchema(previous, schema);
                    }
                    pg = lane.server();
                    previous = pg;
                    bulk = 0;
                }
                StorageConfig config = StorageConfig.builder().databaseUrl(pg.databaseUrl()).poolMaxConnections(4)
                        .kafkaBootstrapServers(bootstrap)
                        .set("DB_SCHEMA", schema).set("DB_MIGRATE_ON_START", "true")
                        .set("DB_TIMESCALEDB", pg.isTimescale() ? "on" : "off")
                        .set("KAFKA_TOPIC_PREFIX", prefix)
                        .set("KAFKA_SINK_GROUP", prefix + "sink-" + pg.name() + "-" + maxPoll)
                        .set("KAFKA_CONSUMER_MAX_POLL_RECORDS", Integer.toString(maxPoll)).build();
                try (StoragePool pool = StoragePool.create(config)) {
                    if (!published) {
                        for (int i = 0; i < events.size(); i += 5_000) { // at most MAX_PENDING may wait at once
                            pool.events().publishAll(events.subList(i, Math.min(events.size(), i + 5_000)))
                                    .get(5, TimeUnit.MINUTES);
                        }
                        published = true;
                    }
                    if (firstOnServer) {
                        // Warm the writer path (JIT, pool connections, temp-table plan) on other rows.
                        pool.usage().recordAll(warmupRows(rows, Math.min(n, 20_000)));
                    }
                    truncate(pg, schema);
                    bulk = Math.max(bulk, BulkIngest.rowsPerSecond(pool.usage(), rows));
                    check(count(pg, schema) == n, "bulk baseline stored " + count(pg, schema) + " of " + n);
                    truncate(pg, schema);

                    KafkaSink sink = pool.client(KafkaSink.class).orElseThrow();
                    long start = System.nanoTime();
                    sink.start();
                    long firstRow = 0;
                    long stored = 0;
                    long deadline = start + TimeUnit.MINUTES.toNanos(10);
                    while (stored < n) {
                        if (System.nanoTime() > deadline || sink.failure().isPresent()) {
                            throw new IllegalStateException("sink stored " + stored + " of " + n + " rows; "
                                    + sink.stats() + sink.failure().map(f -> ", failed: " + f).orElse(""));
                        }
                        Thread.sleep(50);
                        stored = count(pg, schema);
                        if (firstRow == 0 && stored > 0) {
                            firstRow = System.nanoTime();
                        }
                    }
                    double seconds = (System.nanoTime() - start) / 1e9;
                    double sinkRate = n / seconds;
                    ConsumerStats stats = sink.stats();
                    check(stats.deadLettered() == 0, "dead-lettered " + stats.deadLettered());
                    check(count(pg, schema) == n, "sink stored " + count(pg, schema) + " rows, expected " + n);
                    measures.add(Measure.ratioAtLeast(
                            "Kafka -> " + (pg.isTimescale() ? "TimescaleDB hypertable" : "PostgreSQL table")
                                    + " sink rows/s end to end, max.poll.records=" + maxPoll, "rows/s",
                            sinkRate, bulk, "bulk ingest: usage writer recordAll, batches of " + BulkIngest.BATCH
                                    + ", same rows, same table", 0.5,
                            String.format(Locale.ROOT, "%s (fsync=off), one local Kafka 4.4.0 broker; "
                                    + "%d events (LlmEvent JSON, acks=all) published before timing into a 6-partition "
                                    + "topic; 1 sink instance (one consumer, fresh group, from earliest), "
                                    + "KAFKA_CONSUMER_MAX_POLL_RECORDS=%d%s, commit after each write; timed from "
                                    + "start() to count(*)=N (polled every 50 ms), first row after %.2f s; %d batches "
                                    + "committed; table with unique key + 4 indexes; bulk best of %d rounds, "
                                    + "1 client, pool 4 connections",
                                    pg.isTimescale() ? "TimescaleDB on PostgreSQL 15, 1-day chunks" : "PostgreSQL 15",
                                    n, maxPoll,
                                    maxPoll == 500 ? " (Kafka's own default)" : " (llmstore's default)",
                                    (firstRow - start) / 1e9, stats.commits(), firstOnServer ? 1 : 2)));
                }
            }
        } finally {
            if (previous != null) {
                dropSchema(previous, schema);
            }
            deleteTopics(bootstrap, prefix);
        }
        return measures;
    }

    /** One measured configuration: a server and the consumer's max.poll.records. */
    private record Lane(PostgresServer server, int maxPoll) {}

    /** The same shape of rows with fresh event ids, so the warm-up leaves nothing the runs would skip. */
    private static List<UsageMetric> warmupRows(List<UsageMetric> rows, int count) {
        List<UsageMetric> out = new ArrayList<>(count);
        for (UsageMetric m : rows.subList(0, count)) {
            out.add(m.toBuilder().eventId(UUID.randomUUID()).build());
        }
        return out;
    }

    private static long count(PostgresServer pg, String schema) throws Exception {
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM \"" + schema + "\".llm_usage_metrics")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void truncate(PostgresServer pg, String schema) throws Exception {
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
             Statement st = c.createStatement()) {
            st.execute("TRUNCATE \"" + schema + "\".llm_usage_metrics");
        }
    }

    private static void dropSchema(PostgresServer pg, String schema) {
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password())) {
            io.llmstore.testkit.Schemas.drop(c, schema);
        } catch (Exception e) {
            // best effort: the schema name is random
        }
    }

    /** Deletes every topic the pools provisioned under {@code prefix}. */
    private static void deleteTopics(String bootstrap, String prefix) {
        KafkaOptions options = KafkaOptions.from(StorageConfig.builder().kafkaBootstrapServers(bootstrap).build());
        try (Admin admin = Admin.create(ClientProperties.admin(options))) {
            List<String> mine = new ArrayList<>();
            for (TopicListing t : admin.listTopics().listings().get(30, TimeUnit.SECONDS)) {
                if (t.name().startsWith(prefix)) {
                    mine.add(t.name());
                }
            }
            admin.deleteTopics(mine).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            // best effort: benchmark topics carry a random prefix
        }
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("benchmark check failed: " + what);
        }
    }
}
