package io.llmstore.timescale.trace;

import io.llmstore.core.trace.LlmSpan;
import io.llmstore.core.usage.UsageMetric;
import java.util.UUID;

/**
 * A span ready to store: checked, its cost filled, its trace id resolved to the stored UUID, and its usage row when
 * {@code TRACE_RECORD_USAGE} is on. What the span buffer holds.
 *
 * @param span     the span as it will be stored
 * @param traceId  the trace's stored UUID
 * @param usageRow the usage row to record with it, or null
 */
record ResolvedSpan(LlmSpan span, UUID traceId, UsageMetric usageRow) {
    /** For logs: the span's trace and span ids. */
    String id() {
        return span.traceId() + "/" + span.spanId();
    }
}
