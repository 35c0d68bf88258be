package io.llmstore.core.trace;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.UUID;

/**
 * The UUID a trace is stored under, derived from the application's string id: a name-based UUID (RFC 4122 version
 * 3) of {@code "llmstore-trace:" + traceId}. Every writer, in any thread or instance, computes the same UUID for the
 * same string without asking anyone, so resolving a trace id never needs a lookup or a lock; the database's
 * {@code INSERT ... ON CONFLICT DO NOTHING} on this key makes the trace row exactly once however many writers see
 * the trace first. Stateless, thread-safe.
 */
public final class TraceIds {
    private TraceIds() {
    }

    /** The stored UUID of {@code traceId} (any non-null string; the same string always gives the same UUID). */
    public static UUID uuidOf(String traceId) {
        Objects.requireNonNull(traceId, "traceId");
        return UUID.nameUUIDFromBytes(("llmstore-trace:" + traceId).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The event id of the usage row recorded for a span ({@code TRACE_RECORD_USAGE}): name-based on the trace and
     * span ids, so a replayed span maps to the same usage row, stored once.
     */
    public static UUID usageEventIdOf(String traceId, String spanId) {
        Objects.requireNonNull(traceId, "traceId");
        Objects.requireNonNull(spanId, "spanId");
        return UUID.nameUUIDFromBytes(("llmstore-span-usage:" + traceId.length() + ":" + traceId + ":" + spanId)
                .getBytes(StandardCharsets.UTF_8));
    }
}
