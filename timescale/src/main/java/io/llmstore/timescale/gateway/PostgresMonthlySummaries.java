package io.llmstore.timescale.gateway;

import static io.llmstore.timescale.gateway.GatewaySql.*;
import static org.jooq.impl.DSL.coalesce;
import static org.jooq.impl.DSL.count;
import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.sum;
import static org.jooq.impl.DSL.val;

import io.llmstore.core.gateway.MonthlySummaries;
import io.llmstore.core.gateway.MonthlySummary;
import io.llmstore.core.gateway.UsageTotals;
import io.llmstore.core.retry.RetryPolicy;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.Record;

/**
 * {@link MonthlySummaries} in {@code gateway_monthly_summaries}, refreshed with one
 * {@code INSERT ... SELECT count(*), sum(...) ... ON CONFLICT DO UPDATE}: idempotent, and two refreshers at once
 * each store a sum of committed records (the later statement's row stays), never an increment applied twice.
 *
 * <p>Why not a TimescaleDB continuous aggregate: the records table is a plain table on both flavours (it is read per
 * key and range through one index), and a refresh on demand gives both flavours the same exact answer at the time the
 * caller asks; an aggregate would be as fresh as its last policy run.
 */
final class PostgresMonthlySummaries implements MonthlySummaries {
    private final DSLContext dsl;
    private final RetryPolicy retry;
    private final Clock clock;

    PostgresMonthlySummaries(DSLContext dsl, RetryPolicy retry, Clock clock) {
        this.dsl = dsl;
        this.retry = retry;
        this.clock = clock;
    }

    @Override
    public MonthlySummary refresh(long apiKeyId, YearMonth month) {
        Instant from = month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant until = month.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant now = clock.instant();
        return run(retry, "refreshing the " + month + " summary of API key " + apiKeyId, () -> {
            Record r = dsl.insertInto(SUMMARIES, API_KEY_ID, YEAR, MONTH, REQUEST_COUNT, SUM_PROMPT, SUM_COMPLETION,
                            SUM_TOTAL, COST, REFRESHED_AT)
                    .select(dsl.select(val(apiKeyId), val(month.getYear()), val(month.getMonthValue()),
                                    count().cast(Long.class),
                                    coalesce(sum(PROMPT_TOKENS), inline(BigDecimal.ZERO)),
                                    coalesce(sum(COMPLETION_TOKENS), inline(BigDecimal.ZERO)),
                                    coalesce(sum(TOTAL_TOKENS), inline(BigDecimal.ZERO)),
                                    coalesce(sum(COST), inline(BigDecimal.ZERO)), val(odt(now)))
                            .from(RECORDS)
                            .where(API_KEY_ID.eq(apiKeyId).and(REQUEST_TIMESTAMP.ge(odt(from)))
                                    .and(REQUEST_TIMESTAMP.lt(odt(until)))))
                    .onConflict(API_KEY_ID, YEAR, MONTH).doUpdate()
                    .set(REQUEST_COUNT, org.jooq.impl.DSL.excluded(REQUEST_COUNT))
                    .set(SUM_PROMPT, org.jooq.impl.DSL.excluded(SUM_PROMPT))
                    .set(SUM_COMPLETION, org.jooq.impl.DSL.excluded(SUM_COMPLETION))
                    .set(SUM_TOTAL, org.jooq.impl.DSL.excluded(SUM_TOTAL))
                    .set(COST, org.jooq.impl.DSL.excluded(COST))
                    .set(REFRESHED_AT, org.jooq.impl.DSL.excluded(REFRESHED_AT))
                    .returningResult(API_KEY_ID, YEAR, MONTH, REQUEST_COUNT, SUM_PROMPT, SUM_COMPLETION, SUM_TOTAL, COST,
                            REFRESHED_AT)
                    .fetchOne();
            return map(r);
        });
    }

    @Override
    public Optional<MonthlySummary> get(long apiKeyId, YearMonth month) {
        return run(retry, "reading the " + month + " summary of API key " + apiKeyId, () -> dsl
                .select(API_KEY_ID, YEAR, MONTH, REQUEST_COUNT, SUM_PROMPT, SUM_COMPLETION, SUM_TOTAL, COST, REFRESHED_AT)
                .from(SUMMARIES)
                .where(API_KEY_ID.eq(apiKeyId).and(YEAR.eq(month.getYear())).and(MONTH.eq(month.getMonthValue())))
                .fetchOptional().map(PostgresMonthlySummaries::map));
    }

    private static MonthlySummary map(Record r) {
        UsageTotals totals = new UsageTotals(r.get(REQUEST_COUNT), PostgresUsageRecords.longOf(r.get(SUM_PROMPT)),
                PostgresUsageRecords.longOf(r.get(SUM_COMPLETION)), PostgresUsageRecords.longOf(r.get(SUM_TOTAL)),
                r.get(COST).stripTrailingZeros());
        return new MonthlySummary(r.get(API_KEY_ID), YearMonth.of(r.get(YEAR), r.get(MONTH)), totals,
                instant(r.get(REFRESHED_AT)));
    }
}
