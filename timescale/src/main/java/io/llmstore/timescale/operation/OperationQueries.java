package io.llmstore.timescale.operation;

import static io.llmstore.timescale.operation.OperationTables.*;
import static org.jooq.impl.DSL.avg;
import static org.jooq.impl.DSL.coalesce;
import static org.jooq.impl.DSL.count;
import static org.jooq.impl.DSL.countDistinct;
import static org.jooq.impl.DSL.noCondition;
import static org.jooq.impl.DSL.row;
import static org.jooq.impl.DSL.sum;

import io.llmstore.core.operation.ErrorSummary;
import io.llmstore.core.operation.LlmSession;
import io.llmstore.core.operation.Operation;
import io.llmstore.core.operation.OperationCursor;
import io.llmstore.core.operation.OperationFilter;
import io.llmstore.core.operation.OperationMessage;
import io.llmstore.core.operation.OperationPage;
import io.llmstore.core.operation.ProviderCostSummary;
import io.llmstore.core.operation.SessionSummary;
import java.math.BigDecimal;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.SelectJoinStep;
import org.jooq.Table;

/**
 * The guide's queries over the operation schema with jOOQ, every value bound: the filtered fetch with keyset
 * pagination on {@code ("timestamp", operation_id)} and the three analyses. Sums of cost are exact NUMERIC sums.
 * Thread-safe; does not own the {@link DSLContext}. No retry here: {@link TimescaleOperations} retries.
 */
final class OperationQueries {
    /** The largest page {@link #fetch} returns. */
    static final int MAX_PAGE = 10_000;
    private static final Field<BigDecimal> TOTAL_COST = coalesce(sum(O_COST), BigDecimal.ZERO).as("total_cost");

    private final DSLContext dsl;

    OperationQueries(DSLContext dsl) {
        this.dsl = Objects.requireNonNull(dsl, "dsl");
    }

    Optional<LlmSession> session(UUID id) {
        return dsl.select(S_SESSION_ID, S_WORKSPACE, S_AGENT, S_CREATED, S_METADATA).from(SESSIONS)
                .where(S_SESSION_ID.eq(id))
                .fetchOptional(r -> new LlmSession(r.value1(), r.value2(), r.value3(), instant(r.value4()), map(r.value5())));
    }

    OperationPage fetch(OperationFilter filter, Optional<OperationCursor> after, int limit) {
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(after, "after");
        if (limit < 1 || limit > MAX_PAGE) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_PAGE + ", was " + limit);
        }
        Condition where = where(filter);
        if (after.isPresent()) {
            where = where.and(row(O_TIME, O_ID).gt(time(after.get().timestamp()), after.get().operationId()));
        }
        List<Operation> rows = from(filter, dsl.select(O_ID, O_SESSION, O_ACTION, O_TIME, O_TYPE, O_PROVIDER, O_MODEL,
                        O_IN, O_OUT, O_LATENCY, O_COST, O_STATUS, O_ERROR, O_EXTRAS))
                .where(where)
                .orderBy(O_TIME.asc(), O_ID.asc())
                .limit(limit + 1)
                .fetch(r -> new Operation(r.value1(), r.value2(), r.value3(), instant(r.value4()), r.value5(),
                        r.value6(), r.value7(), r.value8(), r.value9(), r.value10(), r.value11(), r.value12(),
                        r.value13(), map(r.value14())));
        if (rows.size() <= limit) {
            return new OperationPage(rows, Optional.empty());
        }
        List<Operation> page = rows.subList(0, limit);
        return new OperationPage(page, Optional.of(OperationCursor.after(page.get(limit - 1))));
    }

    List<OperationMessage> messages(UUID operationId) {
        return dsl.select(M_ID, M_ROLE, M_CONTENT, M_SEQUENCE).from(MESSAGES)
                .where(M_OPERATION.eq(operationId))
                .orderBy(M_SEQUENCE.asc())
                .fetch(r -> new OperationMessage(r.value1(), r.value2(), r.value3(), r.value4()));
    }

    List<ProviderCostSummary> costByProvider(OperationFilter filter) {
        Field<BigDecimal> latency = avg(O_LATENCY);
        return from(filter, dsl.select(O_PROVIDER, TOTAL_COST, count(), latency))
                .where(where(filter))
                .groupBy(O_PROVIDER)
                .orderBy(TOTAL_COST.desc(), O_PROVIDER.asc())
                .fetch(r -> new ProviderCostSummary(r.value1(), r.value2(), r.value3(),
                        r.value4() == null ? null : r.value4().doubleValue()));
    }

    List<SessionSummary> sessionAnalysis(OperationFilter filter) {
        return dsl.select(S_WORKSPACE, S_AGENT, countDistinct(O_SESSION), count(), TOTAL_COST)
                .from(OPERATIONS).join(SESSIONS).on(S_SESSION_ID.eq(O_SESSION))
                .where(where(filter))
                .groupBy(S_WORKSPACE, S_AGENT)
                .orderBy(TOTAL_COST.desc(), S_WORKSPACE.asc(), S_AGENT.asc())
                .fetch(r -> new SessionSummary(r.value1(), r.value2(), r.value3(), r.value4(), r.value5()));
    }

    List<ErrorSummary> errorAnalysis(OperationFilter filter) {
        Field<Integer> errors = count();
        return from(filter, dsl.select(O_PROVIDER, O_MODEL, O_ERROR, errors))
                .where(where(filter).and(O_STATUS.eq(Operation.ERROR)))
                .groupBy(O_PROVIDER, O_MODEL, O_ERROR)
                .orderBy(errors.desc(), O_PROVIDER.asc(), O_MODEL.asc(), O_ERROR.asc().nullsFirst())
                .fetch(r -> new ErrorSummary(r.value1(), r.value2(), r.value3(), r.value4()));
    }

    /** {@code llm_operations}, joined with {@code llm_sessions} when the filter names a workspace or agent. */
    private static <R extends Record> SelectJoinStep<R> from(OperationFilter f, org.jooq.SelectSelectStep<R> select) {
        Table<?> t = f.needsSessions() ? OPERATIONS.join(SESSIONS).on(S_SESSION_ID.eq(O_SESSION)) : OPERATIONS;
        return select.from(t);
    }

    /** The filter's rule ({@link OperationFilter#test}) in SQL. */
    private static Condition where(OperationFilter f) {
        Condition c = noCondition();
        if (f.from() != null) {
            c = c.and(O_TIME.ge(time(f.from())));
        }
        if (f.to() != null) {
            c = c.and(O_TIME.lt(time(f.to())));
        }
        if (f.provider() != null) {
            c = c.and(O_PROVIDER.eq(f.provider()));
        }
        if (f.model() != null) {
            c = c.and(O_MODEL.eq(f.model()));
        }
        if (f.minTokens() != null) {
            c = c.and(O_IN.plus(O_OUT).ge(f.minTokens()));
        }
        if (f.sessionId() != null) {
            c = c.and(O_SESSION.eq(f.sessionId()));
        }
        if (f.workspace() != null) {
            c = c.and(S_WORKSPACE.eq(f.workspace()));
        }
        if (f.agentId() != null) {
            c = c.and(S_AGENT.eq(f.agentId()));
        }
        if (f.status() != null) {
            c = c.and(O_STATUS.eq(f.status()));
        }
        return c;
    }
}
