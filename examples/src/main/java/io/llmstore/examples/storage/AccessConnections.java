package io.llmstore.examples.storage;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.kafka.KafkaOptions;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ExecutionException;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/** How do I reach the raw PostgreSQL, jOOQ, Redis and Kafka clients for what llmstore does not wrap? */
public final class AccessConnections {
    private AccessConnections() {
    }

    /** Runs the example with {@code DATABASE_URL}, {@code REDIS_URL} and {@code KAFKA_BOOTSTRAP_SERVERS} set. */
    public static void main(String[] args) throws Exception {
        run(StorageConfig.fromEnv(), System.out);
    }

    /**
     * Uses each client once: JDBC through the pool's {@code DataSource}, jOOQ, a Redis PING, a Kafka topic listing
     * and one raw record sent to the logs topic. The pool owns these clients: borrow, never close them.
     */
    public static void run(StorageConfig config, PrintStream out)
            throws SQLException, ExecutionException, InterruptedException {
        try (StoragePool pool = StoragePool.create(config)) {
            DataSource dataSource = pool.client(DataSource.class).orElseThrow();
            try (Connection c = dataSource.getConnection(); // a pooled connection: close() gives it back
                 Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT version()")) {
                rs.next();
                out.println("JDBC: " + rs.getString(1));
            }

            DSLContext dsl = pool.client(DSLContext.class).orElseThrow();
            out.println("jOOQ: dialect " + dsl.dialect() + ", current user " + dsl.select(DSL.currentUser()).fetchOne(0, String.class));

            RedisClient redisClient = pool.client(RedisClient.class).orElseThrow();
            try (StatefulRedisConnection<String, String> redis = redisClient.connect()) { // yours: close it
                out.println("Redis: PING -> " + redis.sync().ping());
            }

            Admin admin = pool.client(Admin.class).orElseThrow();
            String logs = KafkaOptions.from(config).logs().name(); // with KAFKA_TOPIC_PREFIX
            out.println("Kafka: topic " + logs + " exists: " + admin.listTopics().names().get().contains(logs));

            @SuppressWarnings("unchecked")
            Producer<byte[], byte[]> producer = pool.client(Producer.class).orElseThrow();
            RecordMetadata sent = producer.send(new ProducerRecord<>(logs, "app".getBytes(StandardCharsets.UTF_8),
                    "{\"level\":\"info\",\"msg\":\"hello from a raw producer\"}".getBytes(StandardCharsets.UTF_8))).get();
            out.println("Kafka: raw record at " + sent.topic() + "-" + sent.partition() + "@" + sent.offset());
        }
    }
}
