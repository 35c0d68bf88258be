/** Usage recording: {@link io.llmstore.core.usage.UsageMetric} rows and the {@link io.llmstore.core.usage.UsageWriter} port. */
package io.llmstore.core.usage;
