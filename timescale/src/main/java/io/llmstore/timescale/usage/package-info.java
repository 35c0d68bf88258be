/**
 * The usage feature of the PostgreSQL/TimescaleDB adapter. Entry points:
 * {@link io.llmstore.timescale.usage.TimescaleUsageWriter} (COPY-speed idempotent writes),
 * {@link io.llmstore.timescale.usage.TimescaleUsageQueries} (analytics) and
 * {@link io.llmstore.timescale.usage.WriteMode} ({@code DB_WRITE_MODE}). Its schema scripts are the resources in
 * {@code io/llmstore/timescale/usage/migrations/}.
 */
package io.llmstore.timescale.usage;
