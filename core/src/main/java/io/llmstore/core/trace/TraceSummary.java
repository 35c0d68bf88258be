package io.llmstore.core.trace;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * One trace in a {@link TracePage}: its ids, when it started within the page's filter, and its totals over all its
 * spans.
 *
 * @param traceId the application's id
 * @param id      the stored UUID
 * @param started the earliest start among the trace's spans that match the filter (the page's sort key)
 * @param totals  the totals of every span of the trace ({@link SpanTotals} rules)
 */
public record TraceSummary(String traceId, UUID id, Instant started, SpanTotals totals) {
    public TraceSummary {
        Objects.requireNonNull(traceId, "traceId");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(started, "started");
        Objects.requireNonNull(totals, "totals");
    }

    /** The cursor after this trace. */
    public TraceCursor cursor() {
        return new TraceCursor(started, id);
    }
}
