package io.llmstore.core.usage;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * Where the next page of raw rows starts: after the row with this time and event id (rows are ordered by
 * {@code (time, event_id)}).
 */
public record PageCursor(Instant time, UUID eventId) {
    public PageCursor {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(eventId, "eventId");
    }
}
