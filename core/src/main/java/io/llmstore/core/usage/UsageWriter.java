package io.llmstore.core.usage;

import java.util.List;

/**
 * Records usage rows. Implementations are thread-safe; rows are validated before anything is sent, and a row
 * whose {@code eventId} is already stored is skipped, so replays store nothing twice.
 */
public interface UsageWriter {
    /** Stores one row now (one round trip). */
    void record(UsageMetric metric);

    /** Stores the rows now, in one round trip per batch. */
    void recordAll(List<UsageMetric> metrics);
}
