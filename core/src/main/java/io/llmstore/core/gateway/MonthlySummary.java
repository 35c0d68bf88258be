package io.llmstore.core.gateway;

import java.time.Instant;
import java.time.YearMonth;
import java.util.Objects;

/**
 * One key's usage in one calendar month (UTC), as last refreshed.
 *
 * @param apiKeyId    the key
 * @param month       the month, UTC
 * @param totals      sums over the month's records at refresh time
 * @param refreshedAt when it was computed
 */
public record MonthlySummary(long apiKeyId, YearMonth month, UsageTotals totals, Instant refreshedAt) {
    public MonthlySummary {
        Objects.requireNonNull(month, "month");
        Objects.requireNonNull(totals, "totals");
        Objects.requireNonNull(refreshedAt, "refreshedAt");
    }
}
