package io.llmstore.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class KafkaServerIntegrationTest {

  private final KafkaServer server = TestServers.kafka();
  private final String topic = "harness-" + UUID.randomUUID();

  @Test
  void aProducedRecordIsConsumed() throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, server.bootstrapServers()))) {
      // Topics are not auto-created: create it first.
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
      try {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, server.bootstrapServers(),
            ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
          producer.send(new ProducerRecord<>(topic, "request-1", "{\"tokens\":42}")).get();
        }
        List<ConsumerRecord<String, String>> received = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, server.bootstrapServers(),
            ConsumerConfig.GROUP_ID_CONFIG, "harness-" + UUID.randomUUID(),
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
          consumer.subscribe(List.of(topic));
          long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
          while (received.isEmpty() && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200)).forEach(received::add);
          }
        }
        assertThat(received).hasSize(1);
        assertThat(received.get(0).key()).isEqualTo("request-1");
        assertThat(received.get(0).value()).isEqualTo("{\"tokens\":42}");
      } finally {
        admin.deleteTopics(Set.of(topic)).all().get();
      }
    }
  }
}
