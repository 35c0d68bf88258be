package io.llmstore.timescale.trace;

import io.llmstore.core.trace.TraceIds;
import java.util.UUID;

/**
 * A trace as this instance's writer knows it: the application's id, the stored UUID ({@link TraceIds#uuidOf}) and
 * whether its row is known to be stored (set after the commit that stored it, or found it stored). One per trace in
 * the bounded trace cache, shared by every span of the trace. Thread-safe.
 */
final class TraceRef {
    final String external;
    final UUID id;
    private volatile boolean stored;

    TraceRef(String external) {
        this.external = external;
        this.id = TraceIds.uuidOf(external);
    }

    boolean isStored() {
        return stored;
    }

    void markStored() {
        stored = true;
    }
}
