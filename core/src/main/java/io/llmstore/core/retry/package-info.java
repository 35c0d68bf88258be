/** Retry with exponential backoff and jitter: {@link io.llmstore.core.retry.RetryPolicy}. */
package io.llmstore.core.retry;
