package io.llmstore.kafka;

import io.llmstore.core.error.ConfigException;
import java.util.List;

/**
 * What {@link KafkaTopics#provision()} found and did, per topic.
 *
 * @param created    topics that did not exist and were created as specified
 * @param alreadyOk  topics that existed with at least the specified partitions and replication factor
 * @param mismatched topics that existed but with fewer partitions or a lower replication factor; left unchanged
 */
public record ProvisionResult(List<String> created, List<String> alreadyOk, List<TopicMismatch> mismatched) {
    public ProvisionResult {
        created = List.copyOf(created);
        alreadyOk = List.copyOf(alreadyOk);
        mismatched = List.copyOf(mismatched);
    }

    /** True when no topic is mismatched. */
    public boolean isOk() {
        return mismatched.isEmpty();
    }

    /**
     * Returns this result when every topic is as specified; otherwise throws a {@link ConfigException} listing the
     * mismatches. For applications that prefer to stop rather than run on under-partitioned topics.
     */
    public ProvisionResult requireOk() {
        if (!isOk()) {
            StringBuilder b = new StringBuilder("Kafka topics do not match the configuration:");
            mismatched.forEach(m -> b.append(' ').append(m.describe()).append(';'));
            throw new ConfigException(b.toString());
        }
        return this;
    }

    /**
     * An existing topic that is smaller than specified.
     *
     * @param topic                     topic name
     * @param expectedPartitions        configured partitions
     * @param actualPartitions          partitions on the broker
     * @param expectedReplicationFactor configured replication factor
     * @param actualReplicationFactor   replication factor on the broker (of its first partition)
     */
    public record TopicMismatch(String topic, int expectedPartitions, int actualPartitions,
                                short expectedReplicationFactor, short actualReplicationFactor) {
        /** "llm-events has 2 partitions, configured 6 (KAFKA_TOPIC_EVENTS_PARTITIONS)..." in one line. */
        public String describe() {
            StringBuilder b = new StringBuilder(topic);
            if (actualPartitions < expectedPartitions) {
                b.append(" has ").append(actualPartitions).append(" partitions, configured ").append(expectedPartitions)
                        .append(" (add partitions with kafka-topics --alter --partitions ").append(expectedPartitions)
                        .append("; keyed events then move to other partitions)");
            }
            if (actualReplicationFactor < expectedReplicationFactor) {
                b.append(actualPartitions < expectedPartitions ? " and" : "").append(" has replication factor ")
                        .append(actualReplicationFactor).append(", configured ").append(expectedReplicationFactor);
            }
            return b.toString();
        }
    }
}
