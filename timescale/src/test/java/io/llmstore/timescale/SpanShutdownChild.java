package io.llmstore.timescale;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.trace.LlmSpan;
import java.time.Instant;

/**
 * A child JVM for {@link TraceStoreContract}: writes {@code args[2]} spans through {@code pool.traces().write()} with a
 * one-hour flush interval (so nothing is written by size or time), prints {@code WRITTEN} and waits to be terminated,
 * never flushing or closing anything.
 */
public final class SpanShutdownChild {
    private SpanShutdownChild() {
    }

    public static void main(String[] args) throws Exception {
        StoragePool pool = StoragePool.create(StorageConfig.builder().databaseUrl(args[0]).poolMaxConnections(2)
                .set("DB_SCHEMA", args[1]).set("TRACE_FLUSH_INTERVAL", "1h").set("TRACE_FLUSH_SIZE", "100000").build());
        int n = Integer.parseInt(args[2]);
        Instant t0 = Instant.parse("2026-03-02T10:00:00Z");
        for (int i = 0; i < n; i++) {
            pool.traces().write(LlmSpan.builder().traceId("shutdown-" + (i % 10)).spanId("s" + i).name("step")
                    .operation(LlmSpan.CHAT).startTime(t0.plusMillis(i)).endTime(t0.plusMillis(i + 1)).build());
        }
        System.out.println("WRITTEN " + pool.traces().stats().accepted());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
