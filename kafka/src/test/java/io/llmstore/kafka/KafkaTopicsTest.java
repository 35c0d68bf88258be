package io.llmstore.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmstore.core.error.ConfigException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

/** Topic provisioning against the real broker, read back with describeTopics / describeConfigs. */
class KafkaTopicsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void provisionCreatesEveryTopicWithTheConfiguredPartitionsAndRetention() throws Exception {
        String prefix = KafkaTestSupport.randomPrefix();
        KafkaOptions options = KafkaTestSupport.options(prefix, "KAFKA_TOPIC_LOGS_PARTITIONS", "4",
                "KAFKA_TOPIC_ALERTS_RETENTION", "12h", "KAFKA_TOPIC_ANALYTICS", "analytics-custom");
        try (Admin admin = KafkaTestSupport.admin(options)) {
            ProvisionResult result = new KafkaTopics(admin, options.topics(), TIMEOUT).provision();

            assertThat(result.created()).containsExactlyInAnyOrder(prefix + "llm-events", prefix + "llm-metrics",
                    prefix + "llm-alerts", prefix + "llm-logs", prefix + "analytics-custom", prefix + "llm-events-dlq");
            assertThat(result.alreadyOk()).isEmpty();
            assertThat(result.mismatched()).isEmpty();

            Map<String, Integer> partitions = describe(admin, result.created()).entrySet().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().partitions().size()));
            assertThat(partitions).containsExactlyInAnyOrderEntriesOf(Map.of(
                    prefix + "llm-events", 6, prefix + "llm-metrics", 3, prefix + "llm-alerts", 3,
                    prefix + "llm-logs", 4, prefix + "analytics-custom", 3, prefix + "llm-events-dlq", 3));

            assertThat(retentionMs(admin, prefix + "llm-events")).isEqualTo(Duration.ofDays(7).toMillis());
            assertThat(retentionMs(admin, prefix + "llm-metrics")).isEqualTo(Duration.ofDays(7).toMillis());
            assertThat(retentionMs(admin, prefix + "llm-alerts")).isEqualTo(Duration.ofHours(12).toMillis());
            assertThat(retentionMs(admin, prefix + "llm-logs")).isEqualTo(Duration.ofDays(3).toMillis());
            assertThat(retentionMs(admin, prefix + "analytics-custom")).isEqualTo(Duration.ofDays(30).toMillis());
            deleteAll(admin, prefix);
        }
    }

    @Test
    void provisioningTwiceChangesNothingTheSecondTime() {
        String prefix = KafkaTestSupport.randomPrefix();
        KafkaOptions options = KafkaTestSupport.options(prefix);
        try (Admin admin = KafkaTestSupport.admin(options)) {
            KafkaTopics topics = new KafkaTopics(admin, options.topics(), TIMEOUT);
            ProvisionResult first = topics.provision();
            ProvisionResult second = topics.provision();

            assertThat(first.created()).hasSize(6);
            assertThat(second.created()).isEmpty();
            assertThat(second.alreadyOk()).containsExactlyInAnyOrderElementsOf(first.created());
            assertThat(second.isOk()).isTrue();
            deleteAll(admin, prefix);
        }
    }

    @Test
    void anExistingTopicWithFewerPartitionsIsReportedAndLeftUnchanged() throws Exception {
        String prefix = KafkaTestSupport.randomPrefix();
        KafkaOptions options = KafkaTestSupport.options(prefix);
        try (Admin admin = KafkaTestSupport.admin(options)) {
            admin.createTopics(List.of(new NewTopic(prefix + "llm-events", 2, (short) 1))).all().get();

            ProvisionResult result = new KafkaTopics(admin, options.topics(), TIMEOUT).provision();

            assertThat(result.mismatched()).singleElement().satisfies(m -> {
                assertThat(m.topic()).isEqualTo(prefix + "llm-events");
                assertThat(m.expectedPartitions()).isEqualTo(6);
                assertThat(m.actualPartitions()).isEqualTo(2);
                assertThat(m.describe()).contains("has 2 partitions, configured 6");
            });
            assertThat(result.created()).hasSize(5).doesNotContain(prefix + "llm-events");
            assertThat(result.isOk()).isFalse();
            assertThatThrownBy(result::requireOk).isInstanceOf(ConfigException.class)
                    .hasMessageContaining(prefix + "llm-events has 2 partitions, configured 6");
            assertThat(describe(admin, List.of(prefix + "llm-events")).get(prefix + "llm-events").partitions()).hasSize(2);
            deleteAll(admin, prefix);
        }
    }

    @Test
    void aReplicationFactorLargerThanTheClusterFailsNamingTheTopic() {
        String prefix = KafkaTestSupport.randomPrefix();
        KafkaOptions options = KafkaTestSupport.options(prefix, "KAFKA_REPLICATION_FACTOR", "3");
        try (Admin admin = KafkaTestSupport.admin(options)) {
            assertThatThrownBy(() -> new KafkaTopics(admin, options.topics(), TIMEOUT).provision())
                    .isInstanceOf(io.llmstore.core.error.StorageException.class)
                    .hasMessageContaining("create topic " + prefix);
        }
    }

    @Test
    void aBadTopicSettingFailsNamingTheVariable() {
        assertThatThrownBy(() -> KafkaTestSupport.options("x-", "KAFKA_TOPIC_EVENTS_PARTITIONS", "zero"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("KAFKA_TOPIC_EVENTS_PARTITIONS");
        assertThatThrownBy(() -> KafkaTestSupport.options("bad prefix/"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("KAFKA_TOPIC_EVENTS");
        assertThatThrownBy(() -> KafkaTestSupport.options("x-", "KAFKA_EVENT_KEY", "session"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("KAFKA_EVENT_KEY")
                .hasMessageContaining("user-or-model");
    }

    private static Map<String, TopicDescription> describe(Admin admin, List<String> names) {
        try {
            return admin.describeTopics(names).allTopicNames().get();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static long retentionMs(Admin admin, String topic) throws Exception {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config config = admin.describeConfigs(List.of(r)).all().get().get(r);
        return Long.parseLong(config.get("retention.ms").value());
    }

    static void deleteAll(Admin admin, String prefix) {
        try {
            Set<String> mine = admin.listTopics().names().get().stream().filter(n -> n.startsWith(prefix))
                    .collect(Collectors.toSet());
            admin.deleteTopics(mine).all().get();
        } catch (Exception e) {
            // Cleanup only: a leftover topic with a random prefix harms no other test.
        }
    }
}
