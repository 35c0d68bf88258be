/**
 * The one buffering mechanism: {@link io.llmstore.core.buffer.BufferedWriter}, a bounded in-memory buffer in front of
 * an idempotent batch writer, with retry ({@link io.llmstore.core.retry.RetryPolicy}) and poison-row isolation
 * ({@link io.llmstore.core.failure.PoisonIsolation}). Usage rows, spans and operations are buffered through it.
 * With {@link io.llmstore.core.buffer.BufferedWriter.Builder#spool spool} ({@link io.llmstore.core.buffer.SpoolSettings},
 * a {@link io.llmstore.core.buffer.SpoolCodec} per row type) every accepted row is first appended to a local durable
 * log ({@link io.llmstore.core.buffer.SpoolDurability}); docs/spool.md describes it and its file format.
 */
package io.llmstore.core.buffer;
