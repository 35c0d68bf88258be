/** Optional Micrometer binding over {@code StoragePool.stats()}: {@link io.llmstore.core.metrics.LlmstoreMetrics}. */
package io.llmstore.core.metrics;
