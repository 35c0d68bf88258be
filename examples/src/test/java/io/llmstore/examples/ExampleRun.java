package io.llmstore.examples;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.testkit.PostgresServer;
import io.llmstore.testkit.TestServers;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * One example's run on the real servers: its own schema, Redis key prefix and topic prefix (so examples run in any
 * order), what it printed, and read-only views of what it stored, taken with plain JDBC, Lettuce and a Kafka consumer
 * rather than the library under test.
 */
public final class ExampleRun {
    /** The TimescaleDB server every example runs on. */
    public final PostgresServer db = TestServers.timescale();
    /** The schema, also the Redis and Kafka prefix ({@code <id>:}, {@code <id>.}). */
    public final String id;
    /** The configuration an application would load: the servers, plus this run's namespaces. */
    public final StorageConfig config;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    /** Where the example prints. */
    public final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    /** A run of the named example with every backend configured. */
    public ExampleRun(String name) {
        this(name, true, b -> { });
    }

    /**
     * A run of the named example with PostgreSQL and Redis only, for examples that publish nothing: the pool then
     * provisions no topics (six per run), which keeps the shared broker small.
     */
    public static ExampleRun withoutKafka(String name) {
        return new ExampleRun(name, false, b -> { });
    }

    /** A run of the named example; {@code extra} may add settings to the builder. */
    public ExampleRun(String name, boolean kafka, Consumer<StorageConfig.Builder> extra) {
        this.id = name.toLowerCase() + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        StorageConfig.Builder b = StorageConfig.builder().environment(Map.of()).systemProperties(new Properties())
                .databaseUrl(db.databaseUrl())
                .set("DB_SCHEMA", id)
                .redisUrl(TestServers.redis().uri())
                .set("REDIS_KEY_PREFIX", redisPrefix());
        if (kafka) {
            b.kafkaBootstrapServers(TestServers.kafka().bootstrapServers()).set("KAFKA_TOPIC_PREFIX", topicPrefix());
        }
        extra.accept(b);
        this.config = b.build();
    }

    /** This run's {@code REDIS_KEY_PREFIX}. */
    public String redisPrefix() {
        return id + ":";
    }

    /** This run's {@code KAFKA_TOPIC_PREFIX}. */
    public String topicPrefix() {
        return id + ".";
    }

    /** Everything the example printed so far. */
    public String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** A connection to the example's database with {@code search_path} set to this run's schema. */
    public Connection jdbc() throws SQLException {
        Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
        try (Statement st = c.createStatement()) {
            st.execute("SET search_path TO \"" + id + "\"");
        }
        return c;
    }

    /** The first column of the first row of {@code sql} in this run's schema. */
    public Object queryOne(String sql) throws SQLException {
        try (Connection c = jdbc(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getObject(1) : null;
        }
    }

    /** Every row of {@code sql} in this run's schema, each as its columns joined by {@code |}. */
    public List<String> queryRows(String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = jdbc(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= columns; i++) {
                    row.append(i > 1 ? "|" : "").append(rs.getString(i));
                }
                rows.add(row.toString());
            }
        }
        return rows;
    }

    /** The Redis value at {@code key}, or null. */
    public String redisGet(String key) {
        return redis(r -> r.get(key));
    }

    /** The Redis TTL of {@code key} in milliseconds (-2 when absent, -1 when it has none). */
    public long redisPttl(String key) {
        return redis(r -> r.pttl(key));
    }

    /** The Redis keys matching {@code pattern} (a test's own prefix, so KEYS stays small). */
    public List<String> redisKeys(String pattern) {
        return redis(r -> r.keys(pattern));
    }

    private <T> T redis(Function<RedisCommands<String, String>, T> use) {
        RedisClient client = RedisClient.create(TestServers.redis().uri());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            return use.apply(c.sync());
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    /** Every record on {@code topic} (without this run's prefix), read from the beginning until {@code expected} arrived or 30 s. */
    public List<ConsumerRecord<String, String>> records(String topic, int expected) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestServers.kafka().bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, id + "-test-reader");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                     new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topicPrefix() + topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }
}
