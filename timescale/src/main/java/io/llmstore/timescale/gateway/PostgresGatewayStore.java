package io.llmstore.timescale.gateway;

import io.llmstore.core.buffer.BufferedWriter;
import io.llmstore.core.buffer.WriterSettings;
import io.llmstore.core.config.Settings;
import io.llmstore.core.gateway.ApiKeyStore;
import io.llmstore.core.gateway.GatewaySettings;
import io.llmstore.core.gateway.GatewayStore;
import io.llmstore.core.gateway.ModelStore;
import io.llmstore.core.gateway.MonthlySummaries;
import io.llmstore.core.gateway.UsageRecord;
import io.llmstore.core.gateway.UsageRecordSpoolCodec;
import io.llmstore.core.gateway.UsageRecords;
import io.llmstore.core.retry.RetryPolicy;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * The gateway's {@link GatewayStore} on PostgreSQL or TimescaleDB (the same tables on both). Every statement carries
 * the query timeout ({@code GATEWAY_QUERY_TIMEOUT}, whole seconds): past it the server cancels it and the call throws
 * {@link io.llmstore.core.error.StorageTimeoutException}. Reads, records (idempotent on their request id) and
 * idempotent updates are retried with {@code DB_RETRY_*} when the failure is retryable; creating a key or a model is
 * not (a replay after an ambiguous commit would be refused as a duplicate). Owns the buffered record writer, closed by
 * {@link #close()}. Thread-safe; does not own the {@link DSLContext}.
 */
public final class PostgresGatewayStore implements GatewayStore, AutoCloseable {
    /** The records' spool directory under {@code SPOOL_DIR}. */
    public static final String SPOOL_KIND = "gateway-usage";

    /**
     * The settings of the buffered record writer: {@code GATEWAY_RECORD_*} sizes, the usage rows' shutdown flush
     * timeout ({@code USAGE_SHUTDOWN_FLUSH_TIMEOUT}) and the spool in {@code <SPOOL_DIR>/}{@value #SPOOL_KIND}
     * ({@link UsageRecordSpoolCodec}).
     *
     * @throws io.llmstore.core.error.ConfigException naming the variable, the rule and the value
     */
    public static WriterSettings bufferSettings(Settings s, Duration shutdownFlushTimeout) {
        return WriterSettings.from(s, GatewaySettings.GATEWAY_RECORD_BUFFER_CAPACITY,
                GatewaySettings.GATEWAY_RECORD_FLUSH_SIZE, GatewaySettings.GATEWAY_RECORD_FLUSH_INTERVAL,
                shutdownFlushTimeout, SPOOL_KIND);
    }

    private final DSLContext dsl;
    private final RetryPolicy retry;
    private final Clock clock;
    private final Supplier<Optional<String>> trigramSchema;
    private final PostgresApiKeyStore keys;
    private final PostgresModelStore models;
    private final PostgresUsageRecords records;
    private final PostgresMonthlySummaries summaries;
    /** The one buffered record writer, shared with this store's transactions; null in a transaction's store. */
    private final BufferedWriter<UsageRecord> buffered;
    private final Supplier<BufferedWriter<UsageRecord>> bufferedRef;

    private PostgresGatewayStore(DSLContext dsl, RetryPolicy retry, Clock clock, Supplier<Optional<String>> trigramSchema,
                                 WriterSettings buffer, Supplier<BufferedWriter<UsageRecord>> shared) {
        this.dsl = dsl;
        this.retry = retry;
        this.clock = clock;
        this.trigramSchema = trigramSchema;
        this.keys = new PostgresApiKeyStore(dsl, retry);
        this.models = new PostgresModelStore(dsl, retry, trigramSchema);
        this.summaries = new PostgresMonthlySummaries(dsl, retry, clock);
        if (shared != null) {
            this.buffered = null;
            this.bufferedRef = shared;
            this.records = new PostgresUsageRecords(dsl, retry, shared);
        } else {
            PostgresUsageRecords direct = new PostgresUsageRecords(dsl, retry, () -> null);
            // The writer retries the direct one-attempt insert itself, so the two retry loops never nest.
            BufferedWriter.Builder<UsageRecord> builder = BufferedWriter.builder("gateway usage record",
                            direct::insertOnce, UsageRecord::requestId)
                    .configure(buffer, UsageRecordSpoolCodec.INSTANCE) // sizes, and SPOOL_DIR
                    .retry(retry)
                    .settings(GatewaySettings.GATEWAY_RECORD_BUFFER_CAPACITY.name(), "USAGE_SHUTDOWN_FLUSH_TIMEOUT")
                    .threadName("llmstore-gateway-records");
            this.buffered = builder.build();
            BufferedWriter<UsageRecord> writer = this.buffered;
            this.bufferedRef = () -> writer;
            this.records = new PostgresUsageRecords(dsl, retry, bufferedRef);
        }
    }

    /**
     * The store over {@code dsl}'s database, statements bounded by {@code queryTimeout}. Whether fuzzy search uses
     * pg_trgm is decided at the first search (after the schema was migrated), see {@link #withoutTrigrams()}.
     */
    public static PostgresGatewayStore create(DSLContext dsl, RetryPolicy retry, Clock clock, Duration queryTimeout,
                                              WriterSettings buffer) {
        Objects.requireNonNull(queryTimeout, "queryTimeout");
        if (queryTimeout.isNegative() || queryTimeout.isZero()) {
            throw new IllegalArgumentException("GATEWAY_QUERY_TIMEOUT must be > 0, was " + queryTimeout);
        }
        DSLContext bounded = GatewaySql.withTimeout(dsl, queryTimeout);
        return new PostgresGatewayStore(bounded, retry, clock, new TrigramLookup(bounded), buffer, null);
    }

    /** Writes out the buffered records now. */
    public void flush() {
        if (buffered != null) {
            buffered.flush();
        }
    }

    /** Flushes and stops the buffered record writer (the backend calls it on close). Idempotent. */
    @Override
    public void close() {
        if (buffered != null) {
            buffered.close();
        }
    }

    /** This store with fuzzy search by ranked ILIKE whatever the database has (what a database without pg_trgm gets). */
    public PostgresGatewayStore withoutTrigrams() {
        return new PostgresGatewayStore(dsl, retry, clock, Optional::empty, null, bufferedRef);
    }

    @Override
    public ApiKeyStore apiKeys() {
        return keys;
    }

    @Override
    public ModelStore models() {
        return models;
    }

    @Override
    public UsageRecords records() {
        return records;
    }

    @Override
    public MonthlySummaries summaries() {
        return summaries;
    }

    /** One jOOQ transaction; the store handed to {@code work} runs every statement on its connection, without retry. */
    @Override
    public <T> T inTransaction(Function<GatewayStore, T> work) {
        Objects.requireNonNull(work, "work");
        return GatewaySql.translated("a gateway transaction", () -> dsl.transactionResult(cfg ->
                work.apply(new PostgresGatewayStore(DSL.using(cfg), RetryPolicy.none(), clock, trigramSchema, null,
                        bufferedRef))));
    }

    /**
     * Where pg_trgm is, looked up at the first search (the schema may be migrated after the pool opened) and kept
     * once found; while it is absent it is looked up again at most once a minute.
     */
    private static final class TrigramLookup implements Supplier<Optional<String>> {
        private final DSLContext dsl;
        private volatile Optional<String> found = Optional.empty();
        private volatile long nextLookNanos = System.nanoTime();

        TrigramLookup(DSLContext dsl) {
            this.dsl = dsl;
        }

        @Override
        public Optional<String> get() {
            if (found.isEmpty() && System.nanoTime() - nextLookNanos >= 0) {
                nextLookNanos = System.nanoTime() + Duration.ofMinutes(1).toNanos();
                found = PostgresModelStore.findTrigramSchema(dsl);
            }
            return found;
        }
    }
}
