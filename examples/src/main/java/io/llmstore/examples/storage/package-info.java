/**
 * One runnable program per snippet of the storage guide: minimal setup, the four ways to configure (builder,
 * environment, {@code .env}, YAML), the raw clients the pool hands out, pool utilization, graceful shutdown, health
 * checks (once and periodic), error handling with {@code isRetryable()}, a simple query, cache-aside of a user
 * through Redis, and a transaction. Each has a {@code main} and a {@code run(...)} that the test suite calls against
 * real servers; {@code examples/README.md} indexes them by question.
 */
package io.llmstore.examples.storage;
