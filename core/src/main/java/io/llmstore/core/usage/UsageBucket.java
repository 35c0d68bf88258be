package io.llmstore.core.usage;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * One model's usage in one time bucket.
 *
 * @param bucketStart  start of the bucket (UTC, aligned like TimescaleDB's {@code time_bucket}: origin 2000-01-03)
 * @param modelId      the model
 * @param requests     sum of request counts
 * @param tokenTotal   sum of total tokens
 * @param costUsd      sum of known costs in USD, never null
 * @param avgLatencyMs mean latency weighted by request count ({@code sum(avg_latency_ms * request_count) /
 *                     sum(request_count)}), 0 when there were no requests
 * @param errors       sum of error counts
 */
public record UsageBucket(Instant bucketStart, String modelId, long requests, long tokenTotal, BigDecimal costUsd,
                          double avgLatencyMs, long errors) {
}
