package io.llmstore.timescale.operation;

import io.llmstore.core.buffer.BufferSizes;
import io.llmstore.core.buffer.BufferedWriter;
import io.llmstore.core.buffer.SpoolSettings;
import io.llmstore.core.buffer.WriterSettings;
import io.llmstore.core.config.Settings;
import io.llmstore.core.error.QueryException;
import io.llmstore.core.operation.ErrorSummary;
import io.llmstore.core.operation.LlmSession;
import io.llmstore.core.operation.OperationCursor;
import io.llmstore.core.operation.OperationFilter;
import io.llmstore.core.operation.OperationMessage;
import io.llmstore.core.operation.OperationPage;
import io.llmstore.core.operation.OperationSpoolCodec;
import io.llmstore.core.operation.OperationWithMessages;
import io.llmstore.core.operation.Operations;
import io.llmstore.core.operation.ProviderCostSummary;
import io.llmstore.core.operation.SessionSummary;
import io.llmstore.core.price.PriceCatalog;
import io.llmstore.core.retry.RetryPolicy;
import io.llmstore.timescale.TimescaleSettings;
import io.llmstore.timescale.internal.SqlErrors;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.jooq.DSLContext;
import org.jooq.exception.DataAccessException;

/**
 * {@link Operations} on PostgreSQL and TimescaleDB (the same plain tables on both; docs/operations.md says why):
 * writes through {@link OperationWriter} (one transaction per call, idempotent on {@code operation_id}), reads
 * through {@link OperationQueries}, each retried with the pool's {@code DB_RETRY_*} policy, which is safe because
 * every write is idempotent and every query a read; {@link #buffered()} batches through the shared
 * {@link BufferedWriter}, whose flusher thread it owns and {@link #close() closes}. Thread-safe.
 */
public final class TimescaleOperations implements Operations, AutoCloseable {
    /** The operations' spool directory under {@code SPOOL_DIR}. */
    public static final String SPOOL_KIND = "operation";

    /** The defaults of {@code OPERATION_BUFFER_CAPACITY}, {@code _FLUSH_SIZE} and {@code _FLUSH_INTERVAL}. */
    public static final BufferSizes DEFAULT_SIZES = new BufferSizes(10_000, 500, Duration.ofSeconds(1));

    /**
     * The settings of {@link #buffered()}: {@code OPERATION_*} sizes, the usage rows' shutdown flush timeout
     * ({@code USAGE_SHUTDOWN_FLUSH_TIMEOUT}) and the spool in {@code <SPOOL_DIR>/}{@value #SPOOL_KIND}.
     *
     * @throws io.llmstore.core.error.ConfigException naming the variable, the rule and the value
     */
    public static WriterSettings bufferSettings(Settings s, Duration shutdownFlushTimeout) {
        return WriterSettings.from(s, TimescaleSettings.OPERATION_BUFFER_CAPACITY, TimescaleSettings.OPERATION_FLUSH_SIZE,
                TimescaleSettings.OPERATION_FLUSH_INTERVAL, shutdownFlushTimeout, SPOOL_KIND);
    }

    private final OperationWriter writer;
    private final OperationQueries queries;
    private final RetryPolicy retry;
    private final BufferedWriter<OperationWithMessages> buffered;

    /**
     * @param dsl    a jOOQ context (POSTGRES dialect) whose connections have the operation schema on the search_path
     * @param prices prices operations recorded without a cost
     * @param retry  retries lost connections; {@link RetryPolicy#none()} for none
     */
    public TimescaleOperations(DSLContext dsl, PriceCatalog prices, RetryPolicy retry) {
        this(dsl, prices, retry, Optional.empty());
    }

    /**
     * @param dsl    a jOOQ context (POSTGRES dialect) whose connections have the operation schema on the search_path
     * @param prices prices operations recorded without a cost
     * @param retry  retries lost connections; {@link RetryPolicy#none()} for none
     * @param spool  where {@link #buffered()} spools accepted operations ({@link OperationSpoolCodec},
     *               {@code SpoolSettings.from(settings, }{@value #SPOOL_KIND}{@code )}); empty = no spool
     * @throws io.llmstore.core.error.ConfigException naming {@code SPOOL_DIR} when another writer holds the spool
     */
    public TimescaleOperations(DSLContext dsl, PriceCatalog prices, RetryPolicy retry, Optional<SpoolSettings> spool) {
        this(dsl, prices, retry, new WriterSettings(DEFAULT_SIZES, BufferedWriter.DEFAULT_SHUTDOWN_FLUSH_TIMEOUT, spool));
    }

    /**
     * @param dsl    a jOOQ context (POSTGRES dialect) whose connections have the operation schema on the search_path
     * @param prices prices operations recorded without a cost
     * @param retry  retries lost connections; {@link RetryPolicy#none()} for none
     * @param buffer the sizes and spool of {@link #buffered()} ({@link #bufferSettings})
     * @throws io.llmstore.core.error.ConfigException naming {@code SPOOL_DIR} when another writer holds the spool
     */
    public TimescaleOperations(DSLContext dsl, PriceCatalog prices, RetryPolicy retry, WriterSettings buffer) {
        this.writer = new OperationWriter(dsl, prices);
        this.queries = new OperationQueries(dsl);
        this.retry = Objects.requireNonNull(retry, "retry");
        // The buffer retries the writer itself (then holds the batch and backs off), so the loops never nest.
        BufferedWriter.Builder<OperationWithMessages> builder = BufferedWriter.builder("operation",
                        (List<OperationWithMessages> batch) -> writer.store(batch),
                        (OperationWithMessages o) -> o.operation().operationId())
                .configure(buffer, OperationSpoolCodec.INSTANCE) // sizes, and SPOOL_DIR
                .retry(retry)
                .settings(TimescaleSettings.OPERATION_BUFFER_CAPACITY.name(), "USAGE_SHUTDOWN_FLUSH_TIMEOUT")
                .threadName("llmstore-operation-flusher");
        this.buffered = builder.build();
    }

    @Override
    public BufferedWriter<OperationWithMessages> buffered() {
        return buffered;
    }

    /** Flushes and stops {@link #buffered()}; idempotent. */
    @Override
    public void close() {
        buffered.close();
    }

    @Override
    public boolean ensureSession(LlmSession session) {
        Objects.requireNonNull(session, "session");
        return retry.call("ensure session", () -> writer.ensureSession(session));
    }

    @Override
    public Optional<LlmSession> session(UUID sessionId) {
        Objects.requireNonNull(sessionId, "sessionId");
        return read("session", () -> queries.session(sessionId));
    }

    @Override
    public boolean record(OperationWithMessages operation) {
        Objects.requireNonNull(operation, "operation");
        return retry.call("record operation", () -> writer.store(List.of(operation))) == 1;
    }

    @Override
    public OperationPage fetch(OperationFilter filter, Optional<OperationCursor> after, int limit) {
        return read("fetch operations", () -> queries.fetch(filter, after, limit));
    }

    @Override
    public List<OperationMessage> messages(UUID operationId) {
        Objects.requireNonNull(operationId, "operationId");
        return read("fetch messages", () -> queries.messages(operationId));
    }

    @Override
    public List<ProviderCostSummary> costByProvider(OperationFilter filter) {
        Objects.requireNonNull(filter, "filter");
        return read("cost by provider", () -> queries.costByProvider(filter));
    }

    @Override
    public List<SessionSummary> sessionAnalysis(OperationFilter filter) {
        Objects.requireNonNull(filter, "filter");
        return read("session analysis", () -> queries.sessionAnalysis(filter));
    }

    @Override
    public List<ErrorSummary> errorAnalysis(OperationFilter filter) {
        Objects.requireNonNull(filter, "filter");
        return read("error analysis", () -> queries.errorAnalysis(filter));
    }

    private <T> T read(String what, Supplier<T> query) {
        return retry.call(what, () -> {
            try {
                return query.get();
            } catch (DataAccessException e) {
                SQLException sql = e.getCause(SQLException.class);
                if (sql != null) {
                    throw SqlErrors.translate(what, sql);
                }
                throw new QueryException(what + " failed: " + e.getMessage(), e, false);
            }
        });
    }

    @Override
    public String toString() {
        return "TimescaleOperations{retry=" + retry + "}";
    }
}
