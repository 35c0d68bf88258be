package io.llmstore.core.event;

import java.time.Instant;
import java.util.Objects;

/**
 * Where the broker stored a published event: the record's coordinates, returned once the broker acknowledged it
 * (with {@code acks=all}: once every in-sync replica has it).
 *
 * @param eventId   the published event's id
 * @param topic     topic name
 * @param partition partition, >= 0
 * @param offset    offset within the partition, >= 0
 * @param timestamp the record's timestamp as stored by the broker
 */
public record PublishReceipt(java.util.UUID eventId, String topic, int partition, long offset, Instant timestamp) {
    public PublishReceipt {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(timestamp, "timestamp");
        if (partition < 0) {
            throw new IllegalArgumentException("partition must be >= 0, was " + partition);
        }
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be >= 0, was " + offset);
        }
    }
}
