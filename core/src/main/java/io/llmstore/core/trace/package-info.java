/**
 * Traces and spans of LLM call chains: {@link io.llmstore.core.trace.Traces} ({@code pool.traces()}) writes
 * {@link io.llmstore.core.trace.LlmSpan}s and reads them back as {@link io.llmstore.core.trace.TraceTree}s,
 * {@link io.llmstore.core.trace.SpanTotals} and {@link io.llmstore.core.trace.TracePage}s;
 * {@link io.llmstore.core.trace.GenAiAttributes} maps spans to and from the OpenTelemetry GenAI attribute names.
 */
package io.llmstore.core.trace;
