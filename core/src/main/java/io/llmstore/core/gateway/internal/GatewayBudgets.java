package io.llmstore.core.gateway.internal;

import io.llmstore.core.gateway.ApiKey;
import io.llmstore.core.gateway.BudgetAlert;
import io.llmstore.core.gateway.BudgetAlerts;
import io.llmstore.core.gateway.BudgetCounter;
import io.llmstore.core.gateway.BudgetDecision;
import io.llmstore.core.gateway.Budgets;
import io.llmstore.core.gateway.Models;
import io.llmstore.core.gateway.UsageRecords;
import io.llmstore.core.price.TokenUsage;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * {@link Budgets} over a shared {@link BudgetCounter}: converts dollars to nano-dollars, rebuilds a lost counter from
 * the month's usage records, and hands fired thresholds to {@link BudgetAlerts}. Thread-safe.
 */
public final class GatewayBudgets implements Budgets {
    private static final BigDecimal NANOS = BigDecimal.ONE.movePointRight(9);
    /** Counters outlive their month by this, so late settlements still find them. */
    static final Duration KEEP_AFTER_MONTH = Duration.ofDays(7);

    private final BudgetCounter counter;
    private final UsageRecords records;
    private final Models models;
    private final List<Integer> percents;
    private final Supplier<BudgetAlerts> alerts;
    private final Clock clock;

    /**
     * @param percents ascending percentages 1..100 of the budget that raise an alert
     * @param alerts   looked up at each alert (the Kafka backend opens after the one building the gateway)
     */
    public GatewayBudgets(BudgetCounter counter, UsageRecords records, Models models, List<Integer> percents,
                          Supplier<BudgetAlerts> alerts, Clock clock) {
        this.counter = counter;
        this.records = records;
        this.models = models;
        this.percents = List.copyOf(percents);
        this.alerts = alerts;
        this.clock = clock;
    }

    @Override
    public BudgetDecision reserve(ApiKey key, BigDecimal estimateUsd) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(estimateUsd, "estimateUsd");
        if (estimateUsd.signum() < 0) {
            throw new IllegalArgumentException("estimateUsd must be >= 0, was " + estimateUsd.toPlainString());
        }
        YearMonth month = YearMonth.from(clock.instant().atOffset(ZoneOffset.UTC));
        Instant resets = resetsAt(month);
        if (key.monthlyBudgetUsd() == null) {
            return new BudgetDecision(true, key.id(), month, BigDecimal.ZERO, BigDecimal.ZERO, null, resets);
        }
        long amount = nanos(estimateUsd);
        BudgetCounter.Result r = step(key.id(), month, true, amount, key.monthlyBudgetUsd());
        raise(key.id(), month, key.monthlyBudgetUsd(), r);
        boolean allowed = r.status() == BudgetCounter.Status.OK;
        return new BudgetDecision(allowed, key.id(), month, allowed ? usd(amount) : BigDecimal.ZERO, usd(r.spent()),
                key.monthlyBudgetUsd(), resets);
    }

    @Override
    public BigDecimal settle(BudgetDecision reservation, BigDecimal actualUsd) {
        Objects.requireNonNull(reservation, "reservation");
        Objects.requireNonNull(actualUsd, "actualUsd");
        if (actualUsd.signum() < 0) {
            throw new IllegalArgumentException("actualUsd must be >= 0, was " + actualUsd.toPlainString());
        }
        if (!reservation.allowed()) {
            throw new IllegalArgumentException("a refused reservation has nothing to settle: " + reservation);
        }
        if (reservation.limit() == null) {
            return BigDecimal.ZERO; // the key has no budget: nothing is counted
        }
        long delta = nanos(actualUsd) - nanos(reservation.reserved());
        BudgetCounter.Result r = step(reservation.apiKeyId(), reservation.month(), false, delta, reservation.limit());
        raise(reservation.apiKeyId(), reservation.month(), reservation.limit(), r);
        return usd(r.spent());
    }

    @Override
    public BigDecimal estimate(String model, long promptTokens, long maxOutputTokens) {
        return models.calculateCost(model, TokenUsage.of(promptTokens, maxOutputTokens), clock.instant())
                .orElseThrow(() -> new IllegalArgumentException("model '" + model + "' has no price: store one with "
                        + "models().setPrice(...) to reserve budgets for it"))
                .total();
    }

    @Override
    public BigDecimal spent(ApiKey key) {
        if (key.monthlyBudgetUsd() == null) {
            return BigDecimal.ZERO;
        }
        YearMonth month = YearMonth.from(clock.instant().atOffset(ZoneOffset.UTC));
        return usd(step(key.id(), month, false, 0, key.monthlyBudgetUsd()).spent());
    }

    /** One script run; when Redis lost the counter, a second with the month's sum from the database. */
    private BudgetCounter.Result step(long keyId, YearMonth month, boolean reserve, long amount, BigDecimal limitUsd) {
        long limit = nanos(limitUsd);
        List<Long> thresholds = new ArrayList<>();
        for (int p : percents) {
            thresholds.add(BigDecimal.valueOf(limit).multiply(BigDecimal.valueOf(p))
                    .divide(BigDecimal.valueOf(100), 0, RoundingMode.CEILING).longValueExact());
        }
        Instant expireAt = resetsAt(month).plus(KEEP_AFTER_MONTH);
        BudgetCounter.Result r = counter.apply(keyId, month, reserve, amount, limit, expireAt, OptionalLong.empty(),
                thresholds);
        if (r.status() != BudgetCounter.Status.MISSING) {
            return r;
        }
        Instant from = month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        long stored = nanos(records.totals(keyId, from, resetsAt(month)).costUsd());
        return counter.apply(keyId, month, reserve, amount, limit, expireAt, OptionalLong.of(stored), thresholds);
    }

    private void raise(long keyId, YearMonth month, BigDecimal limit, BudgetCounter.Result r) {
        for (long fired : r.fired()) {
            long limitNanos = nanos(limit);
            int percent = percents.stream().filter(p -> BigDecimal.valueOf(limitNanos).multiply(BigDecimal.valueOf(p))
                    .divide(BigDecimal.valueOf(100), 0, RoundingMode.CEILING).longValueExact() == fired)
                    .findFirst().orElse(-1);
            alerts.get().raise(new BudgetAlert(keyId, month, percent, usd(r.spent()), limit, clock.instant()));
        }
    }

    static Instant resetsAt(YearMonth month) {
        return month.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    /** Whole nano-dollars, rounded up: a reservation never holds less than asked. */
    static long nanos(BigDecimal usd) {
        return usd.multiply(NANOS).setScale(0, RoundingMode.CEILING).longValueExact();
    }

    static BigDecimal usd(long nanos) {
        return BigDecimal.valueOf(nanos, 9).stripTrailingZeros();
    }

    /** Parses {@code GATEWAY_BUDGET_ALERTS}: comma-separated percentages 1..100, e.g. {@code 80,95}; empty = none. */
    public static List<Integer> parsePercents(String text) {
        List<Integer> out = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        for (String part : text.split(",")) {
            int p;
            try {
                p = Integer.parseInt(part.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("GATEWAY_BUDGET_ALERTS must be percentages 1..100 separated by"
                        + " commas such as 80,95, was '" + text + "'");
            }
            if (p < 1 || p > 100) {
                throw new IllegalArgumentException("GATEWAY_BUDGET_ALERTS must be percentages 1..100 separated by"
                        + " commas such as 80,95, was '" + text + "'");
            }
            if (!out.contains(p)) {
                out.add(p);
            }
        }
        out.sort(null);
        return out;
    }
}
