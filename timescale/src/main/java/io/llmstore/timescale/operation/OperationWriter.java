package io.llmstore.timescale.operation;

import static io.llmstore.timescale.operation.OperationTables.*;

import io.llmstore.core.error.QueryException;
import io.llmstore.core.error.StorageException;
import io.llmstore.core.operation.LlmSession;
import io.llmstore.core.operation.Operation;
import io.llmstore.core.operation.OperationMessage;
import io.llmstore.core.operation.OperationWithMessages;
import io.llmstore.core.price.Cost;
import io.llmstore.core.price.PriceCatalog;
import io.llmstore.core.price.TokenUsage;
import io.llmstore.timescale.internal.SqlErrors;
import java.math.RoundingMode;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.InsertValuesStepN;
import org.jooq.Record;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;

/**
 * Writes sessions and operations with their messages, each call in one transaction: the operations first
 * ({@code ON CONFLICT (operation_id) DO NOTHING RETURNING operation_id}), then the messages of exactly the operations
 * that call inserted, so a replay stores nothing twice and a failure anywhere rolls the whole call back. Costs left
 * null are priced from the catalog before the transaction. No retry here: {@link TimescaleOperations} retries.
 * Thread-safe; does not own the {@link DSLContext}.
 */
final class OperationWriter {
    /** pgjdbc binds at most 32767 parameters per statement: 14 per operation, 5 per message, with room. */
    private static final int OPERATIONS_PER_STATEMENT = 2000;
    private static final int MESSAGES_PER_STATEMENT = 6000;

    private final DSLContext dsl;
    private final PriceCatalog prices;

    OperationWriter(DSLContext dsl, PriceCatalog prices) {
        this.dsl = Objects.requireNonNull(dsl, "dsl");
        this.prices = Objects.requireNonNull(prices, "prices");
    }

    boolean ensureSession(LlmSession s) {
        return run("ensure session " + s.sessionId(), () -> dsl.insertInto(SESSIONS)
                .columns(column(S_SESSION_ID), column(S_WORKSPACE), column(S_AGENT), column(S_CREATED), column(S_METADATA))
                .values(s.sessionId(), s.workspace(), s.agentId(), time(s.createdAt()), json("metadata", s.metadata()))
                .onConflictDoNothing()
                .execute() == 1);
    }

    /**
     * Stores the operations not stored yet, with their messages, in one transaction; an operation id given twice
     * counts once (its first entry).
     *
     * @return how many operations this call stored
     */
    int store(List<OperationWithMessages> batch) {
        if (batch.isEmpty()) {
            return 0;
        }
        Map<UUID, OperationWithMessages> byId = new LinkedHashMap<>();
        for (OperationWithMessages o : batch) {
            byId.putIfAbsent(o.operation().operationId(), priced(o));
        }
        String what = byId.size() == 1 ? "record operation " + byId.keySet().iterator().next()
                : "record " + byId.size() + " operations";
        return run(what, () -> dsl.transactionResult(cfg -> {
            DSLContext tx = DSL.using(cfg);
            List<OperationWithMessages> all = new ArrayList<>(byId.values());
            Set<UUID> inserted = new java.util.HashSet<>();
            for (int from = 0; from < all.size(); from += OPERATIONS_PER_STATEMENT) {
                inserted.addAll(insertOperations(tx, all.subList(from, Math.min(all.size(), from + OPERATIONS_PER_STATEMENT))));
            }
            List<Object[]> messages = new ArrayList<>();
            for (OperationWithMessages o : all) {
                if (inserted.contains(o.operation().operationId())) {
                    for (OperationMessage m : o.messages()) {
                        messages.add(new Object[] {m.messageId(), o.operation().operationId(), m.role(), m.content(),
                                m.sequenceNumber()});
                    }
                }
            }
            for (int from = 0; from < messages.size(); from += MESSAGES_PER_STATEMENT) {
                insertMessages(tx, messages.subList(from, Math.min(messages.size(), from + MESSAGES_PER_STATEMENT)));
            }
            return inserted.size();
        }));
    }

    private static Set<UUID> insertOperations(DSLContext tx, List<OperationWithMessages> part) {
        InsertValuesStepN<Record> insert = tx.insertInto(OPERATIONS, List.of(column(O_ID), column(O_SESSION),
                column(O_ACTION), column(O_TIME), column(O_TYPE), column(O_PROVIDER), column(O_MODEL), column(O_IN),
                column(O_OUT), column(O_LATENCY), column(O_COST), column(O_STATUS), column(O_ERROR), column(O_EXTRAS)));
        for (OperationWithMessages entry : part) {
            Operation o = entry.operation();
            insert = insert.values(o.operationId(), o.sessionId(), o.actionId(), time(o.timestamp()), o.operationType(),
                    o.provider(), o.model(), o.inputTokens(), o.outputTokens(), o.latencyMs(), o.cost(), o.status(),
                    o.errorMessage(), json("extras of operation " + o.operationId(), o.extras()));
        }
        Field<UUID> id = column(O_ID);
        return insert.onConflictDoNothing().returningResult(id).fetch()
                .stream().map(r -> r.value1()).collect(Collectors.toSet());
    }

    private static void insertMessages(DSLContext tx, List<Object[]> part) {
        InsertValuesStepN<Record> insert = tx.insertInto(MESSAGES, List.of(column(M_ID), column(M_OPERATION),
                column(M_ROLE), column(M_CONTENT), column(M_SEQUENCE)));
        for (Object[] m : part) {
            insert = insert.values(m);
        }
        insert.execute();
    }

    /** {@code o} with its cost from the catalog when it has none and the catalog prices its model. */
    private OperationWithMessages priced(OperationWithMessages entry) {
        Operation o = entry.operation();
        if (o.cost() != null) {
            return entry;
        }
        Cost cost = prices.cost(o.provider(), o.model(), TokenUsage.of(o.inputTokens(), o.outputTokens()), o.timestamp())
                .orElse(null);
        if (cost == null) {
            return entry;
        }
        return new OperationWithMessages(o.withCost(cost.total().setScale(Operation.COST_SCALE, RoundingMode.HALF_UP)),
                entry.messages());
    }

    private <T> T run(String what, java.util.function.Supplier<T> action) {
        try {
            return action.get();
        } catch (DataAccessException e) {
            SQLException sql = e.getCause(SQLException.class);
            if (sql == null) {
                throw new QueryException(what + " failed: " + e.getMessage(), e, false);
            }
            throw translate(what, sql);
        }
    }

    /** Names the session when the refusal is the operation's foreign key; otherwise {@link SqlErrors#translate}. */
    private static StorageException translate(String what, SQLException e) {
        String message = String.valueOf(e.getMessage());
        if ("23503".equals(e.getSQLState()) && message.contains("llm_operations_session_id_fkey")) {
            int key = message.indexOf("(session_id)=(");
            String session = key < 0 ? "" : message.substring(key + 14, message.indexOf(')', key + 14)) + " ";
            return QueryException.dataError(what + " failed: session_id " + session + "is not in llm_sessions; call "
                    + "operations().ensureSession(...) first (an operation never creates its session)", e, "23503");
        }
        return SqlErrors.translate(what, e);
    }
}
