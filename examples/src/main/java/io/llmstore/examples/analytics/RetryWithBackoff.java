package io.llmstore.examples.analytics;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.error.ConnectionException;
import io.llmstore.core.error.QueryException;
import io.llmstore.core.error.StorageException;
import io.llmstore.core.retry.RetryPolicy;
import io.llmstore.core.usage.UsageMetric;
import java.io.PrintStream;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

/** How do I retry my own storage step on a transient failure, with backoff, and never on a permanent one? */
public final class RetryWithBackoff {
    private RetryWithBackoff() {
    }

    /** Runs the example with {@code DATABASE_URL} (or {@code DB_*}) and {@code DB_RETRY_*} from the environment. */
    public static void main(String[] args) {
        run(StorageConfig.fromEnv(), System.out);
    }

    /**
     * Records a call through a step that loses its connection twice, then fails a step permanently once.
     * Returns the attempts the first step took.
     */
    public static int run(StorageConfig config, PrintStream out) {
        try (StoragePool pool = StoragePool.create(config)) {
            pool.usage().migrate();
            // The same policy the library uses: DB_RETRY_MAX_ATTEMPTS (3), backoff 100 ms x2 with jitter, only
            // exceptions whose isRetryable() is true.
            RetryPolicy retry = RetryPolicy.of(config.retry());
            UsageMetric metric = UsageMetric.builder().time(Instant.now()).provider("openai").model("gpt-4o")
                    .tokens(500, 120).latencyMs(700).user("user-42").build();

            long start = System.nanoTime();
            AtomicInteger attempts = new AtomicInteger();
            retry.run("record usage", () -> {
                int attempt = attempts.incrementAndGet();
                out.printf("attempt %d at +%d ms%n", attempt, (System.nanoTime() - start) / 1_000_000);
                if (attempt < 3) { // stands in for a dropped connection or a failover
                    throw new ConnectionException("connection reset by peer (simulated, attempt " + attempt + ")");
                }
                pool.usage().record(metric); // idempotent on the event id, so a retry never stores it twice
            });
            out.println("stored " + metric.eventId() + " after " + attempts.get() + " attempts");

            AtomicInteger permanent = new AtomicInteger();
            try {
                retry.run("bad statement", () -> {
                    permanent.incrementAndGet();
                    throw new QueryException("syntax error (simulated)", null, "42601", false);
                });
            } catch (StorageException e) {
                out.println("not retried (retryable=" + e.isRetryable() + "), " + permanent.get() + " attempt: "
                        + e.getMessage());
            }
            return attempts.get();
        }
    }
}
