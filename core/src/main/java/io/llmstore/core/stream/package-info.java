/**
 * Streamed LLM calls: {@link io.llmstore.core.stream.StreamRecorder} records exactly one usage row per streamed call,
 * however the stream ends. Entry points: {@code StreamRecorder.builder(writer)}, {@link
 * io.llmstore.core.stream.StreamCall}, {@link io.llmstore.core.stream.RecordedStream}. See {@code docs/streaming.md}.
 */
package io.llmstore.core.stream;
