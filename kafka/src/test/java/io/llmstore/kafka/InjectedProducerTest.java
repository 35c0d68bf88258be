package io.llmstore.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.error.NotConfiguredException;
import io.llmstore.core.event.LlmEvent;
import io.llmstore.core.event.LlmEventJson;
import io.llmstore.core.health.HealthStatus;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * {@code KafkaBackendProvider.using(producer)} on the real broker: the pool publishes through the application's
 * {@code Producer<String, String>} (its send counter moves, the records are on the topic), never closes it, and
 * without {@code KAFKA_BOOTSTRAP_SERVERS} skips what needs its own connection, saying so.
 */
class InjectedProducerTest {

    private static KafkaProducer<String, String> applicationProducer(String clientId) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestSupport.bootstrap(),
                ProducerConfig.CLIENT_ID_CONFIG, clientId, ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class));
    }

    private static double sent(Producer<?, ?> producer) {
        for (Map.Entry<MetricName, ? extends Metric> e : producer.metrics().entrySet()) {
            if (e.getKey().name().equals("record-send-total") && e.getKey().group().equals("producer-metrics")) {
                return ((Number) e.getValue().metricValue()).doubleValue();
            }
        }
        throw new AssertionError("no record-send-total metric");
    }

    @Test
    void eventsGoThroughTheApplicationsProducerWhichStillSendsAfterThePoolCloses() throws Exception {
        String prefix = KafkaTestSupport.randomPrefix();
        StorageConfig config = KafkaTestSupport.config(prefix); // with bootstrap servers: admin and provisioning
        try (KafkaProducer<String, String> producer = applicationProducer(prefix + "app")) {
            try (StoragePool pool = StoragePool.builder(config).backend(KafkaBackendProvider.using(producer)).build()) {
                List<LlmEvent> events = KafkaTestSupport.events(20);
                assertThat(sent(producer)).as("nothing sent before the pool publishes").isZero();

                pool.events().publishAll(events).get(30, TimeUnit.SECONDS);

                // record-send-total counts send attempts (a retry counts again), so at least one per event
                assertThat(sent(producer)).as("records sent by the application's producer").isGreaterThanOrEqualTo(20);
                assertThat(pool.client(Producer.class)).containsSame(producer);
                assertThat(pool.client(Admin.class)).as("built from KAFKA_BOOTSTRAP_SERVERS").isPresent();
                assertThat(pool.healthCheck().component("kafka").orElseThrow().status()).isEqualTo(HealthStatus.UP);
                List<ConsumerRecord<byte[], byte[]>> onTopic = KafkaTestSupport.readAll(prefix + "llm-events", 20,
                        java.time.Duration.ofSeconds(30));
                assertThat(onTopic).hasSize(20);
                assertThat(onTopic).extracting(r -> LlmEventJson.decode(r.value()).eventId())
                        .containsExactlyInAnyOrderElementsOf(events.stream().map(LlmEvent::eventId).toList());
                assertThat(onTopic.get(0).headers().lastHeader("content-type").value())
                        .isEqualTo("application/json".getBytes(StandardCharsets.UTF_8));
            }

            double before = sent(producer);
            assertThat(producer.send(new ProducerRecord<>(prefix + "llm-events", "after", "the pool closed"))
                    .get(30, TimeUnit.SECONDS).offset()).as("the pool never closes an injected producer").isNotNegative();
            assertThat(sent(producer)).isGreaterThan(before);
        }
    }

    @Test
    void withoutBootstrapServersThePoolPublishesButProvisionsNothingAndTheSinkNamesTheVariable() throws Exception {
        String prefix = KafkaTestSupport.randomPrefix();
        KafkaTestSupport.provision(KafkaTestSupport.options(prefix)); // the application created the topics itself
        StorageConfig config = StorageConfig.builder().set("KAFKA_TOPIC_PREFIX", prefix).build();
        assertThat(config.kafka()).isEmpty();
        try (KafkaProducer<String, String> producer = applicationProducer(prefix + "app");
             StoragePool pool = StoragePool.builder(config).backend(KafkaBackendProvider.using(producer)).build()) {
            assertThat(sent(producer)).isZero();
            pool.events().publish(KafkaTestSupport.event("u-1", 1)).get(30, TimeUnit.SECONDS);

            assertThat(sent(producer)).as("through the application's producer").isGreaterThanOrEqualTo(1);
            assertThat(KafkaTestSupport.readAll(prefix + "llm-events", 1, java.time.Duration.ofSeconds(30))).hasSize(1);
            assertThat(pool.client(Admin.class)).as("no bootstrap servers, no admin client").isEmpty();
            assertThat(pool.healthCheck().component("kafka").orElseThrow().status())
                    .as("health asks the application's producer").isEqualTo(HealthStatus.UP);
            assertThatThrownBy(() -> pool.events().sink()).isInstanceOf(NotConfiguredException.class)
                    .hasMessageContaining("set KAFKA_BOOTSTRAP_SERVERS");
        }
    }
}
