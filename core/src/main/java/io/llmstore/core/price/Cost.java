package io.llmstore.core.price;

import java.math.BigDecimal;

/**
 * The cost of one call in USD, exact to the catalog's decimal prices: a per-hour price of an audio
 * duration is multiplied by the seconds before dividing by 3600, so the result is exact whenever
 * it is a finite decimal (else 34 significant digits). Each bucket charges what no more specific
 * priced unit charged, so the buckets add up to {@code total}.
 *
 * <p>Amounts are in their shortest form ({@link BigDecimal#stripTrailingZeros()}, never in exponent
 * notation): {@code 0.0075}, not {@code 0.0075000}, so {@code equals} holds against
 * {@code new BigDecimal("0.0075")}. Amounts read back from a database column carry the column's
 * scale; compare those with {@code compareTo}.
 *
 * @param input uncached, non-audio input (text, image, video tokens; pages, characters, ...)
 * @param cacheRead input read from cache, any modality
 * @param cacheWrite input written to cache, any modality and TTL
 * @param output non-audio, non-reasoning output
 * @param reasoning reasoning output tokens (when priced apart from output)
 * @param audio uncached audio input and audio output, tokens or seconds
 * @param other what has no direction: per-request fees, web searches, tool calls
 * @param inputTotal everything on the input side (input, cache read/write, input audio)
 * @param outputTotal everything on the output side
 * @param total the sum of all buckets
 * @param pricedBy what priced this call
 */
public record Cost(BigDecimal input, BigDecimal cacheRead, BigDecimal cacheWrite, BigDecimal output,
                   BigDecimal reasoning, BigDecimal audio, BigDecimal other, BigDecimal inputTotal,
                   BigDecimal outputTotal, BigDecimal total, PricedBy pricedBy) {
}
