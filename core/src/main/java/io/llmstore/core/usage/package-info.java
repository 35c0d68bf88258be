/**
 * Usage recording and analytics. Entry points: {@link io.llmstore.core.usage.UsageMetric} rows, written through
 * {@link io.llmstore.core.usage.UsageWriter} (synchronous) or {@link io.llmstore.core.usage.BufferedUsageWriter}
 * (asynchronous, bounded); read back through {@link io.llmstore.core.usage.UsageQueries} with a
 * {@link io.llmstore.core.usage.UsageFilter}; results export with {@link io.llmstore.core.usage.UsageCsv}; the
 * schema is managed by {@link io.llmstore.core.usage.UsageSchema}.
 */
package io.llmstore.core.usage;
