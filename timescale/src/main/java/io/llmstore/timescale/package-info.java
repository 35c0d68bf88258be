/**
 * PostgreSQL/TimescaleDB adapter. Entry points: {@link io.llmstore.timescale.PostgresBackendProvider} (found by
 * {@code StoragePool.create}), {@link io.llmstore.timescale.TimescaleUsageWriter} (COPY-speed idempotent writes),
 * {@link io.llmstore.timescale.TimescaleUsageQueries} (analytics), {@link io.llmstore.timescale.SchemaMigrator}
 * (versioned migrations) and {@link io.llmstore.timescale.TimescaleSettings} (configuration variables).
 */
package io.llmstore.timescale;
