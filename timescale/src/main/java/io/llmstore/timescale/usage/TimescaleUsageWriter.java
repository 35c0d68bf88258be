package io.llmstore.timescale.usage;

import io.llmstore.core.error.StorageException;
import io.llmstore.core.retry.RetryPolicy;
import io.llmstore.core.usage.UsageCostFiller;
import io.llmstore.core.usage.UsageMetadata;
import io.llmstore.core.usage.UsageMetric;
import io.llmstore.core.usage.UsageWriter;
import io.llmstore.timescale.internal.IdempotentCopy;
import io.llmstore.timescale.internal.Jdbc;
import io.llmstore.timescale.internal.ServerInfo;
import io.llmstore.timescale.internal.SqlErrors;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Stores usage rows in {@code llm_usage_metrics}, one round trip per batch, idempotently on
 * {@code (event_id, time)}: a replayed row is skipped, never stored twice.
 *
 * <p>Two bulk paths ({@link WriteMode}): {@code COPY} streams the batch in COPY text format straight into the table
 * in one transaction; when the batch holds an already stored row (a replay: unique violation) that transaction is
 * rolled back and the batch goes through a session temp table and {@code INSERT ... SELECT ... ON CONFLICT DO
 * NOTHING} instead;
 * {@code INSERT} binds each column as one array and inserts {@code FROM unnest(...)} (for servers without COPY).
 * Either way every value is bound or encoded, never concatenated into SQL.
 *
 * <p>Validation at the boundary ({@link #prepare}): the {@link UsageMetric} record checks its own fields; this
 * writer adds the metadata rule ({@code USAGE_METADATA_MAX_BYTES}) and the time range ({@link #MIN_TIME}..{@link
 * #MAX_TIME}), and fills a missing cost with the optional {@link UsageCostFiller} (the record itself holds times in
 * PostgreSQL's microseconds). Each row is prepared once: {@link #store} prepares what it is given;
 * {@link #preparedRows} stores rows a caller (the buffered writer) already prepared.
 *
 * <p>Retries: {@link #record} and {@link #recordAll} retry retryable failures with the writer's {@link RetryPolicy}
 * ({@link #withRetry}; none unless set: the pool's {@code pool.usage()} uses {@code DB_RETRY_*}); {@link #store}
 * makes one attempt.
 *
 * <p>Thread-safe; borrows a connection per call from the {@link DataSource} it is given and does not own it.
 * Failures are translated {@link StorageException}s ({@code QueryException} carries the SQLState).
 */
public final class TimescaleUsageWriter implements UsageWriter {
    /** Earliest time stored: 0001-01-01T00:00:00Z. */
    public static final Instant MIN_TIME = Instant.parse("0001-01-01T00:00:00Z");
    /** Latest time stored: 9999-12-31T23:59:59.999999Z (microseconds, PostgreSQL's precision). */
    public static final Instant MAX_TIME = Instant.parse("9999-12-31T23:59:59.999999Z");
    /** Rows encoded before a chunk is sent to the server during a COPY. */
    /** COPY exactly once per row (replays go through a staging table, see {@link IdempotentCopy}). */
    private static final IdempotentCopy<UsageMetric, CopyTextEncoder> COPY = new IdempotentCopy<>(
            "llm_usage_metrics", CopyTextEncoder.COLUMNS, "event_id, time", "llmstore_usage_staging", 160,
            CopyTextEncoder::new, CopyTextEncoder::append);
    private static final String INSERT_UNNEST = "INSERT INTO llm_usage_metrics (" + CopyTextEncoder.COLUMNS
            + ") SELECT * FROM unnest(?::timestamptz[], ?::varchar[], ?::varchar[], ?::int8[], ?::int8[], ?::int8[],"
            + " ?::int8[], ?::numeric[], ?::float8[], ?::int8[], ?::int8[], ?::varchar[], ?::varchar[], ?::varchar[],"
            + " ?::jsonb[], ?::uuid[], ?::int8[], ?::int8[], ?::int8[], ?::varchar[],"
            + " ?::varchar[], ?::float8[], ?::varchar[], ?::numeric[]) ON CONFLICT (event_id, time) DO NOTHING";

    private final DataSource dataSource;
    private final WriteMode mode;
    private final int metadataMaxBytes;
    private final UsageCostFiller costFiller;
    private final RetryPolicy retry;

    private TimescaleUsageWriter(DataSource dataSource, WriteMode mode, int metadataMaxBytes, UsageCostFiller costFiller,
                                 RetryPolicy retry) {
        this.dataSource = dataSource;
        this.mode = mode;
        this.metadataMaxBytes = metadataMaxBytes;
        this.costFiller = costFiller;
        this.retry = retry;
    }

    /**
     * A writer on {@code dataSource} (not owned). {@link WriteMode#AUTO} is resolved here with one SELECT
     * ({@link ServerInfo}): COPY unless the server is PGlite.
     *
     * @param metadataMaxBytes largest metadata JSON in UTF-8 bytes, >= 2
     * @param costFiller       prices rows without a cost; null = leave them without one
     */
    public static TimescaleUsageWriter create(DataSource dataSource, WriteMode mode, int metadataMaxBytes,
                                              UsageCostFiller costFiller) {
        Objects.requireNonNull(dataSource, "dataSource");
        Objects.requireNonNull(mode, "mode");
        if (metadataMaxBytes < 2) {
            throw new IllegalArgumentException("metadataMaxBytes must be >= 2, was " + metadataMaxBytes);
        }
        WriteMode resolved = mode == WriteMode.AUTO
                ? (ServerInfo.probe(dataSource).canCopy() ? WriteMode.COPY : WriteMode.INSERT)
                : mode;
        return new TimescaleUsageWriter(dataSource, resolved, metadataMaxBytes, costFiller, RetryPolicy.none());
    }

    /** The bulk path in use: {@link WriteMode#COPY} or {@link WriteMode#INSERT}, never AUTO. */
    public WriteMode mode() {
        return mode;
    }

    /**
     * The row as it will be stored: metadata checked, time range checked, cost filled when missing and a filler is
     * configured. Idempotent.
     *
     * @throws IllegalArgumentException naming the field when the row cannot be stored
     */
    public UsageMetric prepare(UsageMetric metric) {
        Objects.requireNonNull(metric, "metric");
        UsageMetadata.requireValid(metric.metadata(), metadataMaxBytes);
        // The record already holds its time in microseconds (its constructor truncates), so no copy for that.
        requireStorableTime(metric.time());
        if (metric.costUsd() == null && costFiller != null && metric.tokenTotal() > 0) {
            return costFiller.fill(metric);   // cost and price source together
        }
        return metric;
    }

    /**
     * A writer over the same data source, mode and rules that stores rows <em>as given</em>, without
     * {@link #prepare preparing} them again: for a caller that already prepared every row, once, such as the
     * buffered writer (its admission is {@link #prepare}, on the caller's thread at {@code record()}), so the flusher
     * does not parse each row's metadata JSON and look up its price a second time. One attempt per call, like
     * {@link #store}.
     *
     * <p>Hand it only rows {@link #prepare} returned: a row it did not check may be refused by the server (a data
     * error, isolated as a poison row by the caller) or stored without its missing cost filled.
     */
    public UsageWriter preparedRows() {
        return new UsageWriter() {
            @Override
            public void record(UsageMetric metric) {
                storePrepared(List.of(metric));
            }

            @Override
            public void recordAll(List<UsageMetric> metrics) {
                storePrepared(metrics);
            }

            @Override
            public String toString() {
                return TimescaleUsageWriter.this + ".preparedRows()";
            }
        };
    }

    /**
     * Refuses a time this writer cannot store exactly: PostgreSQL's {@code timestamptz} reaches from 4713 BC to
     * 294276 AD, but the COPY text and ISO forms it is sent in write years 1..9999 only (a year outside needs a
     * sign or five digits, which the server reads differently or refuses), so the accepted range is
     * {@link #MIN_TIME}..{@link #MAX_TIME}.
     */
    private static void requireStorableTime(Instant time) {
        Instant stored = time.truncatedTo(ChronoUnit.MICROS);
        if (stored.isBefore(MIN_TIME) || stored.isAfter(MAX_TIME)) {
            throw new IllegalArgumentException("time must be between " + MIN_TIME + " and " + MAX_TIME
                    + " (years 1..9999, what PostgreSQL timestamptz and the COPY text encoding store exactly), was " + time);
        }
    }

    /**
     * Stores one row now; retryable failures are retried with the writer's {@link RetryPolicy} ({@code DB_RETRY_*}).
     *
     * @throws IllegalArgumentException naming the field when the row cannot be stored
     * @throws StorageException         the failure that stands after the retries
     */
    @Override
    public void record(UsageMetric metric) {
        recordAll(List.of(metric));
    }

    /**
     * Stores {@code metrics} in one transaction; retryable failures (a lost connection, also at COMMIT: the write is
     * idempotent on {@code (event_id, time)}, so an ambiguous commit is simply replayed) are retried with the
     * writer's {@link RetryPolicy} ({@code DB_RETRY_*}).
     *
     * @throws IllegalArgumentException naming the field when a row cannot be stored (nothing is stored)
     * @throws StorageException         the failure that stands after the retries
     */
    @Override
    public void recordAll(List<UsageMetric> metrics) {
        retry.run("storing usage rows", () -> store(metrics));
    }

    /**
     * This writer retrying {@link #record} and {@link #recordAll} with {@code policy}; the same data source, mode and
     * rules. {@link #store} never retries.
     */
    public TimescaleUsageWriter withRetry(RetryPolicy policy) {
        return new TimescaleUsageWriter(dataSource, mode, metadataMaxBytes, costFiller, Objects.requireNonNull(policy, "policy"));
    }

    /**
     * Stores {@code metrics} in one transaction and returns how many were new (replayed rows are skipped). Every
     * row is validated before anything is sent; an invalid row rejects the whole call.
     */
    public int store(List<UsageMetric> metrics) {
        Objects.requireNonNull(metrics, "metrics");
        if (metrics.isEmpty()) {
            return 0;
        }
        List<UsageMetric> rows = new ArrayList<>(metrics.size());
        for (UsageMetric m : metrics) {
            rows.add(prepare(m));
        }
        return storePrepared(rows);
    }

    /** {@link #store} of rows {@link #prepare} already returned: no second check (see {@link #preparedRows}). */
    private int storePrepared(List<UsageMetric> rows) {
        Objects.requireNonNull(rows, "rows");
        if (rows.isEmpty()) {
            return 0;
        }
        try (Connection c = dataSource.getConnection()) {
            try {
                return mode == WriteMode.COPY ? copy(c, rows) : insert(c, rows);
            } catch (SQLException e) {
                Jdbc.evictIfBroken(dataSource, c, e);
                throw e;
            }
        } catch (SQLException e) {
            throw SqlErrors.translate("storing " + rows.size() + " usage rows", e);
        }
    }

    /** COPY, exactly once per row: see {@link IdempotentCopy}. */
    private static int copy(Connection c, List<UsageMetric> rows) throws SQLException {
        return COPY.write(c, rows, IdempotentCopy.Step.NONE);
    }

    private static int insert(Connection c, List<UsageMetric> rows) throws SQLException {
        int n = rows.size();
        String[] time = new String[n];
        String[] model = new String[n];
        String[] provider = new String[n];
        Long[] requests = new Long[n];
        Long[] tokenIn = new Long[n];
        Long[] tokenOut = new Long[n];
        Long[] tokenTotal = new Long[n];
        String[] cost = new String[n];
        Double[] latency = new Double[n];
        Long[] errors = new Long[n];
        Long[] successes = new Long[n];
        String[] user = new String[n];
        String[] app = new String[n];
        String[] env = new String[n];
        String[] metadata = new String[n];
        String[] eventId = new String[n];
        Long[] cacheRead = new Long[n];
        Long[] cacheWrite = new Long[n];
        Long[] reasoning = new Long[n];
        String[] priceSource = new String[n];
        String[] usageSource = new String[n];
        Double[] firstToken = new Double[n];
        String[] finish = new String[n];
        String[] saved = new String[n];
        for (int i = 0; i < n; i++) {
            UsageMetric m = rows.get(i);
            time[i] = m.time().toString();
            model[i] = m.modelId();
            provider[i] = m.provider();
            requests[i] = m.requestCount();
            tokenIn[i] = m.tokenInput();
            tokenOut[i] = m.tokenOutput();
            tokenTotal[i] = m.tokenTotal();
            cost[i] = m.costUsd() == null ? null : m.costUsd().toPlainString();
            latency[i] = m.avgLatencyMs();
            errors[i] = m.errorCount();
            successes[i] = m.successCount();
            user[i] = m.userId();
            app[i] = m.applicationId();
            env[i] = m.environment();
            metadata[i] = m.metadata();
            eventId[i] = m.eventId().toString();
            cacheRead[i] = m.tokenCacheRead();
            cacheWrite[i] = m.tokenCacheWrite();
            reasoning[i] = m.tokenReasoning();
            priceSource[i] = m.priceSource();
            usageSource[i] = m.usageSource() == null ? null : m.usageSource().value();
            firstToken[i] = m.timeToFirstTokenMs();
            finish[i] = m.finishReason();
            saved[i] = m.costSavedUsd() == null ? null : m.costSavedUsd().toPlainString();
        }
        try (PreparedStatement ps = c.prepareStatement(INSERT_UNNEST)) {
            List<Array> arrays = List.of(c.createArrayOf("text", time), c.createArrayOf("text", model),
                    c.createArrayOf("text", provider), c.createArrayOf("int8", requests),
                    c.createArrayOf("int8", tokenIn), c.createArrayOf("int8", tokenOut),
                    c.createArrayOf("int8", tokenTotal), c.createArrayOf("text", cost),
                    c.createArrayOf("float8", latency), c.createArrayOf("int8", errors),
                    c.createArrayOf("int8", successes), c.createArrayOf("text", user), c.createArrayOf("text", app),
                    c.createArrayOf("text", env), c.createArrayOf("text", metadata), c.createArrayOf("text", eventId),
                    c.createArrayOf("int8", cacheRead), c.createArrayOf("int8", cacheWrite),
                    c.createArrayOf("int8", reasoning), c.createArrayOf("text", priceSource),
                    c.createArrayOf("text", usageSource), c.createArrayOf("float8", firstToken),
                    c.createArrayOf("text", finish), c.createArrayOf("text", saved));
            for (int i = 0; i < arrays.size(); i++) {
                ps.setArray(i + 1, arrays.get(i));
            }
            // Autocommit: one statement is its own transaction.
            return ps.executeUpdate();
        }
    }

    @Override
    public String toString() {
        return "TimescaleUsageWriter{mode=" + mode + ", metadataMaxBytes=" + metadataMaxBytes
                + ", costFiller=" + (costFiller != null) + ", retry=" + retry + "}";
    }
}
