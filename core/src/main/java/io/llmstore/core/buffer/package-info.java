/**
 * The one buffering mechanism: {@link io.llmstore.core.buffer.BufferedWriter}, a bounded in-memory buffer in front of
 * an idempotent batch writer, with retry ({@link io.llmstore.core.retry.RetryPolicy}) and poison-row isolation
 * ({@link io.llmstore.core.failure.PoisonIsolation}). Usage rows, spans and operations are buffered through it.
 */
package io.llmstore.core.buffer;
