package io.llmstore.core.operation;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/** Where the next page of a fetch starts: after this operation (pages are ordered by timestamp, then id). */
public record OperationCursor(Instant timestamp, UUID operationId) {
    public OperationCursor {
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(operationId, "operationId");
    }

    /** The cursor after {@code o}. */
    public static OperationCursor after(Operation o) {
        return new OperationCursor(o.timestamp(), o.operationId());
    }
}
