package io.llmstore.examples.storage;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.usage.UsageMetric;
import java.io.PrintStream;
import java.time.Instant;

/** How do I shut down without losing buffered rows? */
public final class GracefulShutdown {
    /** Rows the example buffers before closing. */
    public static final int ROWS = 500;

    private GracefulShutdown() {
    }

    /** Runs the example with {@code DATABASE_URL} (or {@code DB_*}) from the environment. */
    public static void main(String[] args) {
        run(StorageConfig.fromEnv(), System.out);
    }

    /**
     * Buffers {@link #ROWS} rows in the async writer, then closes the pool, which writes them before it lets go of
     * the connections. A shutdown hook calls the same idempotent {@code close()} if the JVM is stopped first (SIGTERM).
     */
    public static void run(StorageConfig config, PrintStream out) {
        StoragePool pool = StoragePool.create(config);
        Thread hook = new Thread(pool::close, "llmstore-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);

        pool.usage().migrate();
        for (int i = 0; i < ROWS; i++) {
            pool.usage().buffered().record(UsageMetric.builder().time(Instant.now()).provider("openai").model("gpt-4o")
                    .tokens(100, 20).latencyMs(300).build()); // returns at once; written within USAGE_FLUSH_INTERVAL
        }
        out.println("buffered " + ROWS + " rows; closing");

        pool.close(); // flushes every buffered writer, then closes what the pool created, in reverse order
        pool.close(); // idempotent: the hook may call it again
        Runtime.getRuntime().removeShutdownHook(hook); // only because this run is over before the JVM ends
        out.println("closed: " + pool.isClosed());
    }
}
