/**
 * Trace recording on PostgreSQL/TimescaleDB: {@link io.llmstore.timescale.trace.TimescaleTraces} serves
 * {@code pool.traces()} over {@code llm_traces} and {@code llm_spans} (schema:
 * {@link io.llmstore.timescale.trace.TraceFeatureSchema}).
 */
package io.llmstore.timescale.trace;
