/** Snapshots for {@code StoragePool.stats()}: connection pool and cache counters. */
package io.llmstore.core.stats;
