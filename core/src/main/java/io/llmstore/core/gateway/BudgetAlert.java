package io.llmstore.core.gateway;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.YearMonth;
import java.util.Objects;

/**
 * A key's spend crossed a threshold of its monthly budget ({@code GATEWAY_BUDGET_ALERTS}, 80 and 95 by default).
 * Raised exactly once per key, month and threshold across every instance: Redis decides it in the same script that
 * moves the counter.
 *
 * @param apiKeyId   the key
 * @param month      the budget's month (UTC)
 * @param percent    the threshold crossed
 * @param spent      the spend when it was crossed
 * @param limit      the monthly budget
 * @param at         when it was raised
 */
public record BudgetAlert(long apiKeyId, YearMonth month, int percent, BigDecimal spent, BigDecimal limit, Instant at) {
    public BudgetAlert {
        Objects.requireNonNull(month, "month");
        Objects.requireNonNull(spent, "spent");
        Objects.requireNonNull(limit, "limit");
        Objects.requireNonNull(at, "at");
    }

    /** The alert as the JSON object published on {@code llm-alerts}. */
    public String toJson() {
        return "{\"type\":\"budget_threshold\",\"api_key_id\":" + apiKeyId + ",\"month\":\"" + month + "\",\"percent\":"
                + percent + ",\"spent_usd\":\"" + spent.toPlainString() + "\",\"limit_usd\":\"" + limit.toPlainString()
                + "\",\"at\":\"" + at + "\"}";
    }
}
