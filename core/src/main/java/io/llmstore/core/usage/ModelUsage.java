package io.llmstore.core.usage;

import java.math.BigDecimal;

/**
 * Usage of one model over a window.
 *
 * @param modelId     the model
 * @param requests    sum of request counts
 * @param tokenInput  sum of input tokens
 * @param tokenOutput sum of output tokens
 * @param tokenTotal  sum of total tokens
 * @param costUsd     sum of known costs in USD (rows without a cost count as zero), never null
 * @param tokenCacheRead  sum of reported cache-read tokens (part of tokenInput)
 * @param tokenCacheWrite sum of reported cache-write tokens (part of tokenInput)
 * @param tokenReasoning  sum of reported reasoning tokens (part of tokenOutput)
 */
public record ModelUsage(String modelId, long requests, long tokenInput, long tokenOutput, long tokenTotal,
                         BigDecimal costUsd, long tokenCacheRead, long tokenCacheWrite, long tokenReasoning) {
}
