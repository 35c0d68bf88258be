package io.llmstore.core.gateway;

import io.llmstore.core.buffer.BufferedWriter;
import java.time.Instant;
import java.util.List;

/**
 * Per-request usage of the gateway's keys: {@code pool.gateway().records()}. Stored in PostgreSQL; every call is one
 * bounded statement ({@code GATEWAY_QUERY_TIMEOUT}). Thread-safe.
 */
public interface UsageRecords {
    /**
     * Stores one record and returns it with its database id; a record whose request id is already stored is not
     * stored again (the stored one's id is returned).
     */
    UsageRecord create(UsageRecord record);

    /**
     * Stores every record in one statement (all or none) and returns how many were new: records whose request id is
     * already stored are skipped, so a replayed batch stores nothing twice.
     */
    int createAll(List<UsageRecord> records);

    /**
     * The asynchronous, bounded writer of records ({@link BufferedWriter}: batches of {@code GATEWAY_RECORD_FLUSH_SIZE}
     * or every {@code GATEWAY_RECORD_FLUSH_INTERVAL}, at most {@code GATEWAY_RECORD_BUFFER_CAPACITY} waiting; failures
     * keep the rows and retry, rows the database refuses are isolated as poison). Owned by the pool: flushed by
     * {@code pool.flush()}, closed with the pool; do not close it.
     */
    BufferedWriter<UsageRecord> buffered();

    /**
     * Sums of the key's records with {@code from <= requestTimestamp < until}.
     *
     * @throws IllegalArgumentException when {@code from} is after {@code until}
     */
    UsageTotals totals(long apiKeyId, Instant from, Instant until);
}
