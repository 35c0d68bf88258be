package io.llmstore.examples.storage;

import io.llmstore.core.StoragePool;
import io.llmstore.core.buffer.BufferedWriter;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.error.ConfigException;
import io.llmstore.core.usage.UsageMetric;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/** How do I keep buffered usage rows when the application is killed (kill -9, an OOM kill)? */
public final class DurableSpool {
    /** Rows the example records. */
    public static final int ROWS = 300;

    private DurableSpool() {
    }

    /** Runs the example with {@code DATABASE_URL} from the environment and a spool in a new temporary directory. */
    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("llmstore-spool");
        run(StorageConfig.builder().set("SPOOL_DIR", dir.toString()).build(), System.out);
    }

    /**
     * Records {@link #ROWS} rows through {@code pool.usage().buffered()} with {@code SPOOL_DIR} set (in {@code config}):
     * each {@code record()} returns once its row is in the spool ({@code SPOOL_DURABILITY=os}: survives a JVM kill), so
     * a killed application's rows are written by the next pool on the same directory. A second pool on the directory
     * is refused; {@code close()} stores the rows and empties the spool.
     */
    public static void run(StorageConfig config, PrintStream out) {
        try (StoragePool pool = StoragePool.create(config)) {
            pool.usage().migrate();
            for (int i = 0; i < ROWS; i++) {
                pool.usage().buffered().record(UsageMetric.builder().time(Instant.now()).provider("openai")
                        .model("gpt-4o").tokens(100, 20).latencyMs(300).build()); // in the spool when this returns
            }
            BufferedWriter.SpoolStats spool = pool.usage().buffered().spoolStats().orElseThrow();
            out.println("spooled " + ROWS + " rows (" + spool.durability() + "): " + spool.pending()
                    + " not stored yet, " + spool.bytes() + " bytes on disk");

            try (StoragePool second = StoragePool.create(config)) {
                out.println("unexpected: a second pool opened the same spool");
            } catch (ConfigException refused) {
                out.println("a second pool on the same SPOOL_DIR is refused: " + refused.getMessage());
            }

            pool.usage().buffered().flush();
            out.println("stored; " + pool.usage().buffered().spoolStats().orElseThrow().pending() + " rows pending");
        }
    }
}
