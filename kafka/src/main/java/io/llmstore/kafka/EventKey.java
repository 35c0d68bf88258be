package io.llmstore.kafka;

import io.llmstore.core.event.LlmEvent;

/**
 * What an event's partition key is. Events with the same key land in the same partition, so they stay in publish
 * order; {@link #USER_OR_MODEL} (the default) keeps each user's calls ordered and spreads load across users.
 */
public enum EventKey {
    /** The user id, or the model id for events without a user. */
    USER_OR_MODEL,
    /** The user id; events without a user get no key (spread round-robin, no ordering). */
    USER,
    /** The model id. */
    MODEL,
    /** The event id: maximum spread, no ordering between events. */
    EVENT_ID;

    /** The key of {@code event} under this strategy, or null for none. */
    public String keyOf(LlmEvent event) {
        return switch (this) {
            case USER_OR_MODEL -> event.userId() != null ? event.userId() : event.modelId();
            case USER -> event.userId();
            case MODEL -> event.modelId();
            case EVENT_ID -> event.eventId().toString();
        };
    }
}
