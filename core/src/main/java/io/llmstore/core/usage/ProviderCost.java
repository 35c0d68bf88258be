package io.llmstore.core.usage;

import java.math.BigDecimal;

/**
 * Spend with one provider over a window.
 *
 * @param provider   the provider
 * @param requests   sum of request counts
 * @param tokenTotal sum of total tokens
 * @param costUsd    sum of known costs in USD, never null
 */
public record ProviderCost(String provider, long requests, long tokenTotal, BigDecimal costUsd) {
}
