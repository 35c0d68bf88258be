package io.llmstore.bench.kafka;

import io.llmstore.bench.BenchServers;
import io.llmstore.bench.Benchmark;
import io.llmstore.bench.Measure;
import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.event.LlmEvent;
import io.llmstore.kafka.KafkaSink;
import io.llmstore.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Sink scale-out: 1, 2 and 3 {@link KafkaSink} instances (each its own pool: producer, consumer, PostgreSQL pool) in
 * ONE consumer group draining the same N events from a 6-partition topic into {@code llm_usage_metrics}. Each count
 * gets a fresh group (reading from the earliest offset) and an emptied table, after one unreported warm-up round of
 * 1 instance, and is timed from the first
 * {@code start()} until {@code count(*)} sees N rows. Baseline: the single instance, measured in the same run on the
 * same events. The instances share this machine's cores with PostgreSQL and Kafka, so the ratio says what adding
 * instances on one host gives; on separate hosts each brings its own CPU.
 */
public final class SinkScaleOutBenchmark implements Benchmark {
    @Override
    public String name() {
        return "kafka-sink-scale";
    }

    @Override
    public List<Measure> run(BenchServers servers, boolean smoke) throws Exception {
        int n = smoke ? 3_000 : 200_000;
        PostgresServer pg = servers.postgres();
        String bootstrap = servers.kafka().bootstrapServers();
        String id = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
        String prefix = "bench-scale-" + id + "-";
        String schema = "bench_scale_" + id;
        List<LlmEvent> events = KafkaPublishBenchmark.events(n);
        List<Measure> measures = new ArrayList<>();
        double single = 0;
        try {
            // The first round (1 instance) only warms up: JIT, connections, a table just created; it is not reported.
            int[] rounds = {1, 1, 2, 3};
            for (int round = 0; round < rounds.length; round++) {
                int instances = rounds[round];
                boolean warmUp = round == 0;
                List<StoragePool> pools = new ArrayList<>();
                try {
                    for (int i = 0; i < instances; i++) {
                        pools.add(StoragePool.create(StorageConfig.builder().databaseUrl(pg.databaseUrl())
                                .poolMaxConnections(4).kafkaBootstrapServers(bootstrap)
                                .set("DB_SCHEMA", schema).set("DB_MIGRATE_ON_START", "true").set("DB_TIMESCALEDB", "off")
                                .set("KAFKA_TOPIC_PREFIX", prefix)
                                .set("KAFKA_SINK_GROUP", prefix + "sink-r" + round + "-x" + instances).build()));
                    }
                    if (warmUp) {
                        for (int i = 0; i < events.size(); i += 5_000) { // at most MAX_PENDING may wait at once
                            pools.get(0).events().publishAll(events.subList(i, Math.min(events.size(), i + 5_000)))
                                    .get(5, TimeUnit.MINUTES);
                        }
                    }
                    truncate(pg, schema);
                    List<KafkaSink> sinks = new ArrayList<>();
                    long start = System.nanoTime();
                    for (StoragePool p : pools) {
                        sinks.add(p.client(KafkaSink.class).orElseThrow().start());
                    }
                    long stored = 0;
                    long deadline = start + TimeUnit.MINUTES.toNanos(10);
                    while (stored < n) {
                        for (KafkaSink s : sinks) {
                            if (s.failure().isPresent() || System.nanoTime() > deadline) {
                                throw new IllegalStateException("sinks stored " + stored + " of " + n + " rows; "
                                        + s.stats() + s.failure().map(f -> ", failed: " + f).orElse(""));
                            }
                        }
                        Thread.sleep(50);
                        stored = count(pg, schema);
                    }
                    double rate = n / ((System.nanoTime() - start) / 1e9);
                    if (stored != n) {
                        throw new IllegalStateException("sinks stored " + stored + " rows, expected " + n);
                    }
                    long commits = sinks.stream().mapToLong(s -> s.stats().commits()).sum();
                    String conditions = String.format(Locale.ROOT, "PostgreSQL 15 (fsync=off), one local Kafka 4.4.0"
                            + " broker; %d events published before timing into a 6-partition topic; %d sink instance(s)"
                            + " in one fresh group (each its own pool, one JVM), KAFKA_CONSUMER_MAX_POLL_RECORDS=5000;"
                            + " timed from the first start() to count(*)=N (polled every 50 ms); %d batches committed;"
                            + " %d cores shared with the servers", n, instances, commits,
                            Runtime.getRuntime().availableProcessors());
                    if (warmUp) {
                        continue;
                    }
                    if (instances == 1) {
                        single = rate;
                        measures.add(Measure.absolute("Kafka -> PostgreSQL sink rows/s, 1 instance", "rows/s", rate,
                                "baseline of the rows below", true, conditions));
                    } else {
                        measures.add(Measure.ratioAtLeast("Kafka -> PostgreSQL sink rows/s, " + instances
                                        + " instances in one group", "rows/s", rate, single,
                                "1 sink instance, same events, same run", 1.0, conditions));
                    }
                } finally {
                    for (StoragePool p : pools) {
                        p.close();
                    }
                }
            }
        } finally {
            dropSchema(pg, schema);
        }
        return measures;
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
}
