package io.llmstore.timescale.trace;

import io.llmstore.core.trace.LlmSpan;
import io.llmstore.core.usage.UsageMetric;

/**
 * A span ready to store: checked, its cost filled, its trace id resolved to the stored UUID, and its usage row when
 * {@code TRACE_RECORD_USAGE} is on. What the span buffer holds.
 *
 * @param span     the span as it will be stored
 * @param trace    its trace: the stored UUID, and whether the trace row is known to be stored
 * @param usageRow the usage row to record with it, or null
 */
record ResolvedSpan(LlmSpan span, TraceRef trace, UsageMetric usageRow) {
    /** For logs: the span's trace and span ids. */
    String id() {
        return span.traceId() + "/" + span.spanId();
    }
}
