package io.llmstore.core.operation;

import io.llmstore.core.buffer.BufferedWriter;
import io.llmstore.core.spi.BackendDescriptor;
import io.llmstore.core.spi.Feature;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The operation store, {@code pool.operations()}: the AiCore guide's sessions, operations and messages in
 * PostgreSQL or TimescaleDB ({@code llm_sessions}, {@code llm_operations}, {@code llm_messages}), with the guide's
 * filtered fetch and its cost, session and error analyses. Export any result with
 * {@link io.llmstore.core.export.Csv} or {@link io.llmstore.core.export.Parquet}.
 *
 * <p>The rules: a session is created once ({@link #ensureSession} is idempotent); an operation is stored with its
 * messages in one transaction, all or nothing, once per {@code operationId} (recording it again stores nothing, so
 * retries and replays are exact); an operation whose session is not stored is refused with a
 * {@link io.llmstore.core.error.QueryException} (a {@linkplain io.llmstore.core.error.QueryException#isDataError() data error}, SQLState 23503) naming the session (call {@link #ensureSession} first: the store
 * never invents a session's workspace and agent); a cost left null is priced from the bundled price catalog.
 *
 * <p>Thread-safe. The pool owns it; failures are {@link io.llmstore.core.error.StorageException}s.
 */
public interface Operations {
    /** The feature's descriptor: needs PostgreSQL. */
    Feature<Operations> FEATURE = Feature.of("the operation store", Operations.class, BackendDescriptor.POSTGRES);

    /**
     * Stores {@code session} unless a session with its id is stored already (that one is kept as it is).
     *
     * @return true when this call stored it
     */
    boolean ensureSession(LlmSession session);

    /** The stored session with this id. */
    Optional<LlmSession> session(UUID sessionId);

    /**
     * Stores {@code operation} and {@code messages} in one transaction, synchronously (retrying a lost connection
     * with {@code DB_RETRY_*}, which is safe: the write is idempotent).
     *
     * @return true when this call stored it, false when an operation with its id was stored already (then nothing
     *         of this call is stored, messages included)
     * @throws io.llmstore.core.error.QueryException    when its session is not stored (a data error naming it)
     * @throws IllegalArgumentException                 when two messages share a sequence number or an id
     * @throws io.llmstore.core.error.QueryException    when the database refuses a value (a message id stored with
     *                                                  another operation)
     */
    default boolean record(Operation operation, List<OperationMessage> messages) {
        return record(new OperationWithMessages(operation, messages));
    }

    /** As {@link #record(Operation, List)}. */
    boolean record(OperationWithMessages operation);

    /**
     * Records asynchronously: {@code buffered().record(new OperationWithMessages(operation, messages))} returns at
     * once, and a background thread stores the buffered operations in batches, each batch in one transaction
     * (idempotent, so a batch replayed after a lost connection stores nothing twice). The shared
     * {@link BufferedWriter}'s contract holds: bounded, a failed write keeps its operations and retries them (a
     * database restart loses nothing), a refused operation (its session not stored, say) is isolated by bisection
     * and reported to the writer's listener as poison while the rest of its batch is stored; flushed by
     * {@code pool.flush()}, {@code pool.close()} and at JVM exit. The pool owns it: do not close it yourself.
     */
    BufferedWriter<OperationWithMessages> buffered();

    /**
     * One page of the operations {@code filter} selects, oldest first (by timestamp, then id), after
     * {@code after} when given.
     *
     * @param limit at most this many, 1 to 10,000
     */
    OperationPage fetch(OperationFilter filter, Optional<OperationCursor> after, int limit);

    /** Every operation {@code filter} selects, oldest first, read page by page (for an export). */
    default List<Operation> fetchAll(OperationFilter filter) {
        List<Operation> all = new ArrayList<>();
        Optional<OperationCursor> cursor = Optional.empty();
        do {
            OperationPage page = fetch(filter, cursor, 1000);
            all.addAll(page.operations());
            cursor = page.next();
        } while (cursor.isPresent());
        return all;
    }

    /** The messages of an operation by sequence number; empty when it has none or is not stored. */
    List<OperationMessage> messages(UUID operationId);

    /** Total cost, request count and average latency per provider, highest cost first. */
    List<ProviderCostSummary> costByProvider(OperationFilter filter);

    /** Sessions, operations and total cost per workspace and agent, highest cost first. */
    List<SessionSummary> sessionAnalysis(OperationFilter filter);

    /** Failed operations ({@link Operation#ERROR}) per provider, model and message, most frequent first. */
    List<ErrorSummary> errorAnalysis(OperationFilter filter);
}
