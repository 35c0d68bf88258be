package io.llmstore.integration.faults;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.error.BufferFullException;
import io.llmstore.core.usage.BufferedUsageWriter;
import io.llmstore.core.usage.UsageMetric;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The application of {@link ShutdownFlushTest} and {@link SpoolKillTest}, run in its own JVM: it opens a pool on
 * {@code args[0]} (a DATABASE_URL) and schema {@code args[1]}, with {@code SPOOL_DIR} {@code args[2]} and
 * {@code SPOOL_DURABILITY} {@code args[3]} when given, prints {@code READY}, then records usage rows from 4 threads as fast as
 * {@code pool.usage().buffered().record} accepts them and never calls {@code close()}. After every 100 acknowledged rows a
 * thread prints {@code ACK <event id>} for each of them, so stdout lists only rows whose {@code record} returned.
 */
public final class IngestingChild {
    private IngestingChild() {
    }

    public static void main(String[] args) throws Exception {
        StorageConfig.Builder config = StorageConfig.builder().databaseUrl(args[0])
                .set("DB_SCHEMA", args[1]).set("DB_TIMESCALEDB", "off");
        if (args.length > 3) {
            config.set("SPOOL_DIR", args[2]).set("SPOOL_DURABILITY", args[3]); // SpoolKillTest
        }
        StoragePool pool = StoragePool.create(config.build());
        BufferedUsageWriter buffer = pool.usage().buffered();
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
        out.println("READY");
        out.flush();
        AtomicInteger next = new AtomicInteger();
        for (int t = 0; t < 4; t++) {
            Thread thread = new Thread(() -> {
                List<UsageMetric> acknowledged = new ArrayList<>(100);
                while (true) {
                    UsageMetric row = FaultSupport.row(next.getAndIncrement());
                    try {
                        buffer.record(row);
                    } catch (BufferFullException full) {
                        continue;
                    } catch (IllegalStateException closed) {
                        break; // the shutdown hook closed the writer: nothing more is acknowledged
                    }
                    acknowledged.add(row);
                    if (acknowledged.size() == 100) {
                        print(out, acknowledged);
                    }
                }
                print(out, acknowledged);
            }, "ingest-" + t);
            thread.start();
        }
        Thread.sleep(Long.MAX_VALUE);
    }

    private static void print(PrintStream out, List<UsageMetric> rows) {
        StringBuilder sb = new StringBuilder(rows.size() * 42);
        for (UsageMetric r : rows) {
            sb.append("ACK ").append(r.eventId()).append('\n');
        }
        synchronized (out) {
            out.print(sb);
            out.flush();
        }
        rows.clear();
    }
}
