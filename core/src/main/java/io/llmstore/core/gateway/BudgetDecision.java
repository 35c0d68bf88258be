package io.llmstore.core.gateway;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.YearMonth;
import java.util.Objects;
import java.util.Optional;

/**
 * The answer of {@link Budgets#reserve}: allowed (the estimate is held against the key's month until
 * {@link Budgets#settle}) or refused, saying which budget, the spend, the limit and when it resets. A refusal is a
 * result, not an exception. Amounts are USD, counted in whole nano-dollars (1e-9 USD, estimates rounded up).
 *
 * @param allowed   true when the call may go ahead
 * @param apiKeyId  the key
 * @param month     the budget's month (UTC)
 * @param reserved  the amount held by this reservation (0 when refused or when the key has no budget)
 * @param spent     the month's spend and open reservations, after this reservation when allowed
 * @param limit     the key's monthly budget; null when it has none
 * @param resetsAt  when the month ends and the budget starts again
 */
public record BudgetDecision(boolean allowed, long apiKeyId, YearMonth month, BigDecimal reserved, BigDecimal spent,
                             BigDecimal limit, Instant resetsAt) {
    public BudgetDecision {
        Objects.requireNonNull(month, "month");
        Objects.requireNonNull(reserved, "reserved");
        Objects.requireNonNull(spent, "spent");
        Objects.requireNonNull(resetsAt, "resetsAt");
    }

    /** Why it was refused, empty when allowed. */
    public Optional<String> refusal() {
        if (allowed) {
            return Optional.empty();
        }
        return Optional.of("monthly budget of API key " + apiKeyId + " for " + month + " is exhausted: spent $"
                + spent.toPlainString() + " of the $" + limit.toPlainString() + " limit; resets at " + resetsAt);
    }

    @Override
    public String toString() {
        return allowed ? "BudgetDecision{allowed, key=" + apiKeyId + ", month=" + month + ", reserved=$"
                + reserved.toPlainString() + ", spent=$" + spent.toPlainString() + (limit == null ? ", no limit" : ", limit=$"
                + limit.toPlainString()) + "}" : "BudgetDecision{refused: " + refusal().orElseThrow() + "}";
    }
}
