package io.llmstore.core.gateway;

import java.time.Instant;
import java.util.List;

/**
 * Per-request usage of the gateway's keys: {@code pool.gateway().records()}. Stored in PostgreSQL; every call is one
 * bounded statement ({@code GATEWAY_QUERY_TIMEOUT}). Thread-safe.
 */
public interface UsageRecords {
    /** Stores one record and returns it with its id. */
    UsageRecord create(UsageRecord record);

    /** Stores every record in one statement (all or none) and returns how many. */
    int createAll(List<UsageRecord> records);

    /**
     * Sums of the key's records with {@code from <= requestTimestamp < until}.
     *
     * @throws IllegalArgumentException when {@code from} is after {@code until}
     */
    UsageTotals totals(long apiKeyId, Instant from, Instant until);
}
