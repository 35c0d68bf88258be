package io.llmstore.core.gateway;

import java.math.BigDecimal;

/**
 * Dollar budgets per API key and calendar month (UTC), enforced across every instance in Redis:
 * {@code pool.gateway().budgets()}. Before a call, {@link #reserve} holds an estimate (from the model's prices and the
 * request's max tokens, see {@link #estimate}); after it, {@link #settle} replaces the estimate with the actual cost.
 * Each is one Redis round trip (one Lua script), so a reservation is refused when spend plus open reservations plus
 * the estimate would pass the limit: the month's spend passes the limit only by what actual costs exceed their
 * estimates, at most one request's reservation when estimates bound costs.
 *
 * <p>The month's counter is rebuilt from {@code gateway_usage_records} when Redis lost it (restart without
 * persistence, failover, eviction): the first call after the loss sums the month's records and continues from there,
 * marking the thresholds that sum already crossed as alerted. Thread-safe.
 */
public interface Budgets {
    /**
     * Holds {@code estimateUsd} against the key's budget of the current month; always allowed (nothing held) when the
     * key has no budget.
     *
     * @throws IllegalArgumentException when the estimate is negative
     */
    BudgetDecision reserve(ApiKey key, BigDecimal estimateUsd);

    /**
     * Replaces the reservation's estimate with {@code actualUsd} in the month it was made, raising each threshold
     * alert the new spend crosses for the first time. Returns the month's spend after it.
     */
    BigDecimal settle(BudgetDecision reservation, BigDecimal actualUsd);

    /** The reservation an estimate of {@code maxOutputTokens} output and {@code promptTokens} input costs on {@code model} now. */
    BigDecimal estimate(String model, long promptTokens, long maxOutputTokens);

    /** The current month's spend and open reservations of the key, rebuilding the counter when Redis lost it. */
    BigDecimal spent(ApiKey key);
}
