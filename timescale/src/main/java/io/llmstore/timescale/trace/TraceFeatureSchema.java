package io.llmstore.timescale.trace;

import io.llmstore.timescale.internal.FeatureSchema;
import io.llmstore.timescale.internal.FeatureSchemas;
import java.util.List;

/**
 * The trace feature's schema: {@code llm_traces} and {@code llm_spans} (a hypertable on TimescaleDB, partitioned by
 * {@code start_time}), scripts in {@code io/llmstore/timescale/trace/migrations/}. No policies follow settings.
 *
 * <p>Wiring, not for application code: the adapter registers it in {@code FeatureSchemas}. Immutable, thread-safe.
 */
public final class TraceFeatureSchema implements FeatureSchema {
    /** Every script, in version order. Listed because a jar's folder cannot be listed portably. */
    static final List<String> FILES = List.of(
            "V1__traces_and_spans.sql",
            "V2__spans_hypertable.timescaledb.sql");

    @Override
    public String name() {
        return "trace";
    }

    @Override
    public int order() {
        return FeatureSchemas.TRACE_ORDER;
    }

    @Override
    public String resourceFolder() {
        return "/io/llmstore/timescale/trace/migrations/";
    }

    @Override
    public List<String> scripts() {
        return FILES;
    }

    @Override
    public String toString() {
        return "TraceFeatureSchema";
    }
}
