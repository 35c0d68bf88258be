package io.llmstore.bench;

import io.llmstore.core.usage.UsageMetric;
import io.llmstore.core.usage.UsageWriter;
import java.util.List;

/**
 * The bulk-ingest baseline shared by the end-to-end benchmarks: the synchronous usage writer's
 * {@link UsageWriter#recordAll} (COPY into a temp table, then {@code INSERT ... ON CONFLICT DO NOTHING}) in large
 * batches, one caller thread, as {@link TimescaleIngestBenchmark}'s bulk path writes.
 */
public final class BulkIngest {
    /** Rows per {@code recordAll} call: large enough that per-batch round trips do not matter. */
    public static final int BATCH = 50_000;

    private BulkIngest() {
    }

    /**
     * Writes {@code rows} through {@code writer} in batches of {@link #BATCH} and returns rows/s (wall clock, the
     * last batch stored).
     */
    public static double rowsPerSecond(UsageWriter writer, List<UsageMetric> rows) {
        long start = System.nanoTime();
        for (int i = 0; i < rows.size(); i += BATCH) {
            writer.recordAll(rows.subList(i, Math.min(rows.size(), i + BATCH)));
        }
        return rows.size() / ((System.nanoTime() - start) / 1e9);
    }
}
