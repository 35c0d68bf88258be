/**
 * One runnable program per snippet of the Analytics Hub guide: record a call, summarise usage, a time series,
 * response caching, sessions, rate limiting, events through Kafka, retry with backoff, batch insert, pool and cache
 * stats. Each has a {@code main} reading {@code StorageConfig.fromEnv()} and a {@code run(config, out)} that the
 * test suite calls against real servers; {@code examples/README.md} indexes them by question.
 */
package io.llmstore.examples.analytics;
