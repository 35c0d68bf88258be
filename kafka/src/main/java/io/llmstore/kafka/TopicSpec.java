package io.llmstore.kafka;

import java.time.Duration;
import java.util.Objects;

/**
 * A topic as llmstore wants it: name (prefix included), partitions, replication factor and retention.
 *
 * @param name              full topic name; legal Kafka name ([a-zA-Z0-9._-], at most 249 characters)
 * @param partitions        >= 1
 * @param replicationFactor >= 1
 * @param retention         {@code retention.ms}, > 0
 */
public record TopicSpec(String name, int partitions, short replicationFactor, Duration retention) {
    public TopicSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(retention, "retention");
        if (!name.matches("[a-zA-Z0-9._-]{1,249}") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("topic name must be 1..249 characters of [a-zA-Z0-9._-], was '" + name + "'");
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions of " + name + " must be >= 1, was " + partitions);
        }
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("replicationFactor of " + name + " must be >= 1, was " + replicationFactor);
        }
        if (retention.isZero() || retention.isNegative()) {
            throw new IllegalArgumentException("retention of " + name + " must be > 0, was " + retention);
        }
    }
}
