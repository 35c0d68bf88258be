package io.llmstore.timescale.gateway;

import io.llmstore.core.gateway.ApiKeyStore;
import io.llmstore.core.gateway.GatewayStore;
import io.llmstore.core.gateway.ModelStore;
import io.llmstore.core.gateway.MonthlySummaries;
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
 * {@link io.llmstore.core.error.StorageTimeoutException}. Reads are retried with {@code DB_RETRY_*} when the failure
 * is retryable; writes whose replay could apply twice (creating a key, a model, records) are not. Thread-safe; does not
 * own the {@link DSLContext}.
 */
public final class PostgresGatewayStore implements GatewayStore {
    private final DSLContext dsl;
    private final RetryPolicy retry;
    private final Clock clock;
    private final Supplier<Optional<String>> trigramSchema;
    private final PostgresApiKeyStore keys;
    private final PostgresModelStore models;
    private final PostgresUsageRecords records;
    private final PostgresMonthlySummaries summaries;

    private PostgresGatewayStore(DSLContext dsl, RetryPolicy retry, Clock clock, Supplier<Optional<String>> trigramSchema) {
        this.dsl = dsl;
        this.retry = retry;
        this.clock = clock;
        this.trigramSchema = trigramSchema;
        this.keys = new PostgresApiKeyStore(dsl, retry);
        this.models = new PostgresModelStore(dsl, retry, trigramSchema);
        this.records = new PostgresUsageRecords(dsl, retry);
        this.summaries = new PostgresMonthlySummaries(dsl, retry, clock);
    }

    /**
     * The store over {@code dsl}'s database, statements bounded by {@code queryTimeout}. Whether fuzzy search uses
     * pg_trgm is decided at the first search (after the schema was migrated), see {@link #withoutTrigrams()}.
     */
    public static PostgresGatewayStore create(DSLContext dsl, RetryPolicy retry, Clock clock, Duration queryTimeout) {
        Objects.requireNonNull(queryTimeout, "queryTimeout");
        if (queryTimeout.isNegative() || queryTimeout.isZero()) {
            throw new IllegalArgumentException("GATEWAY_QUERY_TIMEOUT must be > 0, was " + queryTimeout);
        }
        DSLContext bounded = GatewaySql.withTimeout(dsl, queryTimeout);
        return new PostgresGatewayStore(bounded, retry, clock, new TrigramLookup(bounded));
    }

    /** This store with fuzzy search by ranked ILIKE whatever the database has (what a database without pg_trgm gets). */
    public PostgresGatewayStore withoutTrigrams() {
        return new PostgresGatewayStore(dsl, retry, clock, Optional::empty);
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
                work.apply(new PostgresGatewayStore(DSL.using(cfg), RetryPolicy.none(), clock, trigramSchema))));
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
