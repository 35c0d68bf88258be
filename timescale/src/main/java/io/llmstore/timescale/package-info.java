/**
 * PostgreSQL/TimescaleDB adapter: shared infrastructure under one feature package per feature. Entry points:
 * {@link io.llmstore.timescale.PostgresBackendProvider} (found by {@code StoragePool.create}) and
 * {@link io.llmstore.timescale.TimescaleSettings} (configuration variables). Features: {@code io.llmstore.timescale.usage}
 * (usage writer and analytics). Machinery (backend, error translation, server info, schema migrator) is in
 * {@code io.llmstore.timescale.internal}.
 */
package io.llmstore.timescale;
