package io.llmstore.timescale.gateway;

import static io.llmstore.timescale.gateway.GatewaySql.*;
import static org.jooq.impl.DSL.coalesce;
import static org.jooq.impl.DSL.count;
import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.sum;

import io.llmstore.core.buffer.BufferedWriter;
import io.llmstore.core.gateway.UsageRecord;
import io.llmstore.core.gateway.UsageRecords;
import io.llmstore.core.gateway.UsageTotals;
import io.llmstore.core.retry.RetryPolicy;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Supplier;
import org.jooq.DSLContext;
import org.jooq.InsertValuesStep11;
import org.jooq.JSONB;
import org.jooq.Record;

/**
 * {@link UsageRecords} over {@code gateway_usage_records}; a batch is one multi-row INSERT (all or none), and
 * {@code ON CONFLICT (request_id) DO NOTHING} makes every write idempotent, so writes are retried like reads and the
 * buffered writer may replay a batch.
 */
final class PostgresUsageRecords implements UsageRecords {
    private final DSLContext dsl;
    private final RetryPolicy retry;
    /** Shared by the store and its transactions' stores; owned by {@link PostgresGatewayStore}. */
    private final Supplier<BufferedWriter<UsageRecord>> buffered;

    PostgresUsageRecords(DSLContext dsl, RetryPolicy retry, Supplier<BufferedWriter<UsageRecord>> buffered) {
        this.dsl = dsl;
        this.retry = retry;
        this.buffered = buffered;
    }

    @Override
    public UsageRecord create(UsageRecord r) {
        Objects.requireNonNull(r, "record");
        long id = run(retry, "storing a usage record", () -> insert(List.of(r)).onConflict(REQUEST_ID).doNothing()
                .returningResult(ID).fetchOptional(ID)
                .orElseGet(() -> dsl.select(ID).from(RECORDS).where(REQUEST_ID.eq(r.requestId())).fetchOne(ID)));
        return r.withId(id);
    }

    @Override
    public int createAll(List<UsageRecord> records) {
        if (records.isEmpty()) {
            return 0;
        }
        return run(retry, "storing " + records.size() + " usage records", () -> insertOnce(records));
    }

    /** One attempt, no retry: the buffered writer's delegate (it retries with its own policy). */
    int insertOnce(List<UsageRecord> records) {
        return translated("storing " + records.size() + " usage records",
                () -> insert(records).onConflict(REQUEST_ID).doNothing().execute());
    }

    @Override
    public BufferedWriter<UsageRecord> buffered() {
        return buffered.get();
    }

    private InsertValuesStep11<?, UUID, Long, Long, Long, OffsetDateTime, Long, Long, Long, BigDecimal, JSONB, JSONB> insert(
            List<UsageRecord> records) {
        var insert = dsl.insertInto(RECORDS, REQUEST_ID, API_KEY_ID, MODEL_ID, PROVIDER_ID, REQUEST_TIMESTAMP,
                PROMPT_TOKENS, COMPLETION_TOKENS, TOTAL_TOKENS, COST, REQUEST_METADATA, RESPONSE_METADATA);
        for (UsageRecord r : records) {
            insert = insert.values(r.requestId(), r.apiKeyId(), r.modelId(), r.providerId(), odt(r.requestTimestamp()),
                    r.promptTokens(), r.completionTokens(), r.totalTokens(), r.costUsd(),
                    json(r.requestMetadataJson()), json(r.responseMetadataJson()));
        }
        return insert;
    }
    @Override
    public UsageTotals totals(long apiKeyId, Instant from, Instant until) {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(until, "until");
        if (from.isAfter(until)) {
            throw new IllegalArgumentException("from must not be after until, was " + from + " .. " + until);
        }
        return run(retry, "summing usage of API key " + apiKeyId, () -> {
            Record r = dsl.select(count(), sum(PROMPT_TOKENS), sum(COMPLETION_TOKENS), sum(TOTAL_TOKENS),
                            coalesce(sum(COST), inline(BigDecimal.ZERO)))
                    .from(RECORDS)
                    .where(API_KEY_ID.eq(apiKeyId).and(REQUEST_TIMESTAMP.ge(odt(from))).and(REQUEST_TIMESTAMP.lt(odt(until))))
                    .fetchOne();
            return new UsageTotals(r.get(0, Long.class), longOf(r.get(1, BigDecimal.class)),
                    longOf(r.get(2, BigDecimal.class)), longOf(r.get(3, BigDecimal.class)),
                    r.get(4, BigDecimal.class).stripTrailingZeros());
        });
    }

    static long longOf(BigDecimal sum) {
        return sum == null ? 0 : sum.longValueExact();
    }

    private static JSONB json(String text) {
        return text == null ? null : JSONB.valueOf(text);
    }
}
