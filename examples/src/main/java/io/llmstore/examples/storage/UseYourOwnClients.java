package io.llmstore.examples.storage;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.lettuce.core.RedisClient;
import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.event.LlmEvent;
import io.llmstore.core.usage.UsageMetric;
import io.llmstore.kafka.KafkaBackendProvider;
import io.llmstore.redis.RedisBackendProvider;
import io.llmstore.timescale.PostgresBackendProvider;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * How do I use the DataSource, Redis client and Kafka producer my application already has? Hand them to the
 * builder; the pool uses them as given and never closes them, so they keep serving the application afterwards.
 */
public final class UseYourOwnClients {
    private UseYourOwnClients() {
    }

    /**
     * Builds the application's own clients from {@code APP_JDBC_URL}, {@code APP_DB_USER}, {@code APP_DB_PASSWORD},
     * {@code APP_REDIS_URL} and {@code APP_KAFKA_SERVERS} (names of this example, not llmstore's), then runs.
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(env.get("APP_JDBC_URL"));
        hc.setUsername(env.get("APP_DB_USER"));
        hc.setPassword(env.get("APP_DB_PASSWORD"));
        RedisClient redis = RedisClient.create(env.get("APP_REDIS_URL"));
        try (HikariDataSource dataSource = new HikariDataSource(hc);
             KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, env.get("APP_KAFKA_SERVERS"),
                     ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                     ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
            run(dataSource, redis, producer, StorageConfig.fromEnv(), System.out);
        } finally {
            redis.shutdown(); // the application's client: the application shuts it down
        }
    }

    /**
     * Records a call, caches a response and publishes an event through the application's own clients, closes the
     * pool, and shows the clients still work.
     *
     * @param config llmstore's other settings ({@code DB_SCHEMA}, {@code REDIS_KEY_PREFIX}, ...); no URL is needed
     */
    public static void run(DataSource dataSource, RedisClient redis, Producer<String, String> producer,
                           StorageConfig config, PrintStream out) throws Exception {
        try (StoragePool pool = StoragePool.builder(config)
                .backend(PostgresBackendProvider.using(dataSource))
                .backend(RedisBackendProvider.using(redis))
                .backend(KafkaBackendProvider.using(producer))
                .build()) {
            pool.usage().migrate();
            pool.usage().record(UsageMetric.builder().time(Instant.now()).model("gpt-4o").provider("openai")
                    .tokens(1200, 350).costUsd(new BigDecimal("0.0065")).user("u-42").build());
            String answer = pool.cache().getOrCompute("gpt-4o", "What is llmstore?", Duration.ofMinutes(5),
                    () -> "a library");
            pool.events().publish(LlmEvent.builder().timestamp(Instant.now()).model("gpt-4o").provider("openai")
                    .user("u-42").tokens(1200, 350).latency(Duration.ofMillis(800)).build()).get(30, TimeUnit.SECONDS);
            out.println("recorded, cached '" + answer + "', published, all through your own clients");
        }
        try (var c = dataSource.getConnection(); var st = c.createStatement()) {
            st.execute("SELECT 1");
        }
        try (var connection = redis.connect()) {
            connection.sync().ping();
        }
        producer.flush();
        out.println("after pool.close(): your DataSource, Redis client and producer still work");
    }
}
