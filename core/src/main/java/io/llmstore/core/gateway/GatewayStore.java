package io.llmstore.core.gateway;

import java.util.function.Function;

/**
 * The gateway's database, implemented by the PostgreSQL adapter and served to the backend that builds the
 * {@link Gateway} (Redis when configured, else the in-process fallback). Applications use {@link Gateway}.
 */
public interface GatewayStore {
    ApiKeyStore apiKeys();

    ModelStore models();

    UsageRecords records();

    MonthlySummaries summaries();

    /**
     * Runs {@code work} in one database transaction: every call on the store it is given uses the transaction's
     * connection; commits when {@code work} returns, rolls back when it throws (and rethrows).
     */
    <T> T inTransaction(Function<GatewayStore, T> work);
}
