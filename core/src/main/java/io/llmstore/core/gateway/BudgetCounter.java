package io.llmstore.core.gateway;

import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * The shared counter behind {@link Budgets}, implemented by the Redis adapter with one Lua script: one round trip
 * moves a key's month counter and decides, with a set-if-absent flag per threshold, which alerts fire. Amounts are
 * whole nano-dollars (1e-9 USD).
 */
public interface BudgetCounter {
    /**
     * One atomic step on the counter of {@code apiKeyId} and {@code month}.
     *
     * @param reserve    true: add {@code amount} only if the counter stays at or below {@code limit} (else REFUSED);
     *                   false: add {@code amount} (a settlement's actual minus its reservation, maybe negative)
     * @param expireAt   when the counter and its flags may go
     * @param init       when the counter is missing: the value to start it at (rebuilt from the database); empty:
     *                   answer MISSING and change nothing
     * @param thresholds alert thresholds, ascending; each fires once, the first time the counter reaches it
     */
    Result apply(long apiKeyId, YearMonth month, boolean reserve, long amount, long limit, Instant expireAt,
                 OptionalLong init, List<Long> thresholds);

    /** What a step did. */
    record Result(Status status, long spent, List<Long> fired) {
        public Result {
            Objects.requireNonNull(status, "status");
            fired = List.copyOf(fired);
        }
    }

    enum Status {
        /** The amount was added; {@code spent} is the counter after it. */
        OK,
        /** A reservation that would pass the limit; {@code spent} is the counter, unchanged. */
        REFUSED,
        /** The counter is missing and no {@code init} was given. */
        MISSING
    }
}
