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
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.exception.DataAccessException;

/**
 * Writes sessions and operations with their messages, each call in one transaction of two statements: the
 * operations ({@code ON CONFLICT (operation_id) DO NOTHING RETURNING operation_id}), then the messages of exactly the
 * operations that statement inserted, so a replay stores nothing twice and a failure anywhere rolls the whole call
 * back. Costs left null are priced from the catalog before the transaction. No retry here: {@link TimescaleOperations}
 * retries. Thread-safe; does not own the {@link DSLContext}.
 *
 * <p>The two inserts are plain JDBC on the jOOQ context's connection, not jOOQ statements: measured on PostgreSQL 15,
 * jOOQ's plain-SQL path cost about 0.5 ms per operation on top of the same statements through JDBC (0.25 ms), which
 * put the synchronous path at a third of the guide's row-by-row JDBC. The SQL text is fixed and every value bound.
 */
final class OperationWriter {
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
        List<OperationWithMessages> all = new ArrayList<>(byId.values());
        return run(what, () -> dsl.connectionResult(c -> inTransaction(c, () -> {
            Set<UUID> inserted = insertOperations(c, all);
            insertMessages(c, all, inserted);
            return inserted.size();
        })));
    }

    /**
     * Runs {@code work} in one transaction on {@code c}, rolled back on any failure.
     */
    private static int inTransaction(Connection c, SqlWork work) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            int n = work.run();
            c.commit();
            return n;
        } catch (SQLException | RuntimeException | Error e) {
            try {
                c.rollback();
            } catch (SQLException rollback) {
                e.addSuppressed(rollback); // the connection is gone: the server rolled back itself
            }
            throw e;
        } finally {
            try {
                c.setAutoCommit(autoCommit);
            } catch (SQLException ignored) {
                // a broken connection: the pool discards it
            }
        }
    }

    /** Statements on the transaction's connection. */
    @FunctionalInterface
    private interface SqlWork {
        int run() throws SQLException;
    }

    /**
     * One statement per table whatever the batch size: each column is bound as one array and {@code unnest}ed, so
     * the server parses and plans the same text every time and no batch needs more than 14 (or 5) bind values.
     * Values travel as text and are cast by the server (exact for numeric, ISO-8601 for timestamptz).
     */
    private static final String INSERT_OPERATIONS = "INSERT INTO llm_operations (operation_id, session_id, action_id,"
            + " \"timestamp\", operation_type, provider, model, input_tokens, output_tokens, latency_ms, cost, status,"
            + " error_message, extras)"
            + " SELECT id::uuid, s::uuid, a, t::timestamptz, ty, p, m, i::bigint, o::bigint, l::bigint, c::numeric, st, e, x::jsonb"
            + " FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],"
            + " ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[]) AS v(id, s, a, t, ty, p, m, i, o, l, c, st, e, x)"
            + " ON CONFLICT (operation_id) DO NOTHING RETURNING operation_id";
    private static final String INSERT_MESSAGES = "INSERT INTO llm_messages (message_id, operation_id, role, content,"
            + " sequence_number) SELECT id::uuid, op::uuid, r, c, n::integer"
            + " FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[]) AS v(id, op, r, c, n)";

    private static Set<UUID> insertOperations(Connection c, List<OperationWithMessages> all) throws SQLException {
        int n = all.size();
        String[][] cols = new String[14][n];
        for (int i = 0; i < n; i++) {
            Operation o = all.get(i).operation();
            cols[0][i] = o.operationId().toString();
            cols[1][i] = o.sessionId().toString();
            cols[2][i] = o.actionId();
            cols[3][i] = o.timestamp().toString();
            cols[4][i] = o.operationType();
            cols[5][i] = o.provider();
            cols[6][i] = o.model();
            cols[7][i] = Long.toString(o.inputTokens());
            cols[8][i] = Long.toString(o.outputTokens());
            cols[9][i] = o.latencyMs() == null ? null : o.latencyMs().toString();
            cols[10][i] = o.cost() == null ? null : o.cost().toPlainString();
            cols[11][i] = o.status();
            cols[12][i] = o.errorMessage();
            cols[13][i] = json("extras of operation " + o.operationId(), o.extras()).data();
        }
        Set<UUID> inserted = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(INSERT_OPERATIONS)) {
            bindArrays(c, ps, cols);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    inserted.add(rs.getObject(1, UUID.class));
                }
            }
        }
        return inserted;
    }

    private static void insertMessages(Connection c, List<OperationWithMessages> all, Set<UUID> inserted)
            throws SQLException {
        List<String[]> rows = new ArrayList<>();
        for (OperationWithMessages o : all) {
            if (inserted.contains(o.operation().operationId())) {
                for (OperationMessage m : o.messages()) {
                    rows.add(new String[] {m.messageId().toString(), o.operation().operationId().toString(), m.role(),
                            m.content(), Integer.toString(m.sequenceNumber())});
                }
            }
        }
        if (rows.isEmpty()) {
            return;
        }
        String[][] cols = new String[5][rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            for (int col = 0; col < 5; col++) {
                cols[col][i] = rows.get(i)[col];
            }
        }
        try (PreparedStatement ps = c.prepareStatement(INSERT_MESSAGES)) {
            bindArrays(c, ps, cols);
            ps.executeUpdate();
        }
    }

    private static void bindArrays(Connection c, PreparedStatement ps, String[][] cols) throws SQLException {
        for (int i = 0; i < cols.length; i++) {
            ps.setArray(i + 1, c.createArrayOf("text", cols[i]));
        }
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
