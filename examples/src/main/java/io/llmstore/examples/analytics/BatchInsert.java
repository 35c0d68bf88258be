package io.llmstore.examples.analytics;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.usage.UsageMetric;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** How do I store many calls at once, fast, and safely replay a batch? */
public final class BatchInsert {
    /** Calls in the example's batch. */
    public static final int ROWS = 10_000;

    private BatchInsert() {
    }

    /** Runs the example with {@code DATABASE_URL} (or {@code DB_*}) from the environment. */
    public static void main(String[] args) {
        run(StorageConfig.fromEnv(), System.out);
    }

    /** Writes {@link #ROWS} calls in one round trip, then the same batch again (a replay stores nothing new). */
    public static List<UsageMetric> run(StorageConfig config, PrintStream out) {
        try (StoragePool pool = StoragePool.create(config)) {
            pool.usage().migrate();
            Instant now = Instant.now();
            List<UsageMetric> batch = new ArrayList<>(ROWS);
            for (int i = 0; i < ROWS; i++) {
                batch.add(UsageMetric.builder().time(now.minusMillis(i)).provider("openai")
                        .model(i % 2 == 0 ? "gpt-4o" : "gpt-4o-mini").tokens(100 + i % 900, 50)
                        .costUsd(new BigDecimal("0.000500")).latencyMs(250).user("user-" + i % 50).build());
            }

            long start = System.nanoTime();
            pool.usage().recordAll(batch); // one COPY into a temp table + INSERT ... ON CONFLICT DO NOTHING
            double seconds = (System.nanoTime() - start) / 1e9;
            out.printf("stored %,d rows in %.3f s (%,.0f rows/s)%n", ROWS, seconds, ROWS / seconds);

            pool.usage().recordAll(batch); // e.g. after a timeout whose outcome you do not know: no duplicates
            out.println("replayed the same " + ROWS + " rows: duplicates skipped on (event_id, time)");
            return batch;
        }
    }
}
