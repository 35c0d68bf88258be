package io.llmstore.examples.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.lettuce.core.RedisClient;
import io.llmstore.examples.ExampleRun;
import io.llmstore.testkit.TestServers;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The example runs on the application's own HikariCP pool, Lettuce client and Kafka producer, and leaves them open. */
class UseYourOwnClientsTest {
    @Test
    void thePoolStoresThroughTheApplicationsClientsAndLeavesThemWorking() throws Exception {
        ExampleRun run = new ExampleRun("own_clients");
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(run.db.jdbcUrl());
        hc.setUsername(run.db.user());
        hc.setPassword(run.db.password());
        hc.setMaximumPoolSize(2);
        RedisClient redis = RedisClient.create(TestServers.redis().uri());
        try (HikariDataSource dataSource = new HikariDataSource(hc);
             KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestServers.kafka().bootstrapServers(),
                     ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                     ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
            UseYourOwnClients.run(dataSource, redis, producer, run.config, run.out);

            assertThat(dataSource.isClosed()).isFalse();
            assertThat(run.queryOne("SELECT count(*) FROM llm_usage_metrics")).isEqualTo(1L);
            assertThat(run.redisKeys(run.redisPrefix() + "llm:response:*")).hasSize(1);
            assertThat(run.records("llm-events", 1)).hasSize(1);
            assertThat(run.printed()).contains("all through your own clients",
                    "after pool.close(): your DataSource, Redis client and producer still work");
        } finally {
            redis.shutdown();
        }
    }
}
