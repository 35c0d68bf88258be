package io.llmstore.core.gateway;

import java.time.YearMonth;
import java.util.Optional;

/**
 * Monthly usage per key: {@code pool.gateway().summaries()}. A summary is computed on demand, not maintained on
 * every write: {@link #refresh} recomputes it from the records in one statement. Thread-safe.
 */
public interface MonthlySummaries {
    /**
     * Recomputes the key's summary of {@code month} from its records and stores it (one
     * {@code INSERT ... SELECT sum(...) ... ON CONFLICT DO UPDATE}). Idempotent; two instances refreshing at once
     * both store a sum of committed records, the later one last, never a double count.
     */
    MonthlySummary refresh(long apiKeyId, YearMonth month);

    /** The summary as last refreshed; empty when never refreshed. */
    Optional<MonthlySummary> get(long apiKeyId, YearMonth month);
}
