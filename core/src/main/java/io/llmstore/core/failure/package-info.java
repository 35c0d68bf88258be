/**
 * Poison-row isolation shared by every batch writer of llmstore: {@link io.llmstore.core.failure.PoisonIsolation}
 * splits a refused batch in halves until each row the backend refuses for its own data stands alone, and hands each
 * such row to a {@link io.llmstore.core.failure.PoisonListener}. The buffered usage writer
 * ({@code pool.usage().buffered()}) and the Kafka usage sink both use it, so both isolate poison rows the same way.
 */
package io.llmstore.core.failure;
