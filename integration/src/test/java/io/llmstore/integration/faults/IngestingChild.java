package io.llmstore.integration.faults;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.error.BufferFullException;
import io.llmstore.core.gateway.UsageRecord;
import io.llmstore.core.operation.LlmSession;
import io.llmstore.core.operation.Operation;
import io.llmstore.core.operation.OperationMessage;
import io.llmstore.core.operation.OperationWithMessages;
import io.llmstore.core.trace.LlmSpan;
import io.llmstore.core.usage.UsageMetric;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The application of {@link ShutdownFlushTest}, {@link SpoolKillTest} and {@link SpoolKillKindsTest}, run in its own
 * JVM: it opens a pool on {@code args[0]} (a DATABASE_URL) and schema {@code args[1]}, with {@code SPOOL_DIR}
 * {@code args[2]} and {@code SPOOL_DURABILITY} {@code args[3]} when given, prints {@code READY}, then records rows of
 * the kind {@code args[4]} (default {@code usage}; {@code span}, {@code operation}, or {@code gateway-usage} with the
 * api key, model and provider ids in {@code args[5..7]}) from 4 threads as fast as the buffered writer accepts them
 * and never calls {@code close()}. After every 100 acknowledged rows a thread prints {@code ACK <id>} for each of
 * them (a usage row's event id, a span's {@code trace/span}, an operation id, a gateway request id), so stdout lists
 * only rows whose {@code record} returned.
 */
public final class IngestingChild {
    /** One row of the kind: records row {@code i} and returns its id. */
    @FunctionalInterface
    interface Recorder {
        String record(int i);
    }

    private IngestingChild() {
    }

    public static void main(String[] args) throws Exception {
        StorageConfig.Builder config = StorageConfig.builder().databaseUrl(args[0])
                .set("DB_SCHEMA", args[1]).set("DB_TIMESCALEDB", "off");
        if (args.length > 3) {
            config.set("SPOOL_DIR", args[2]).set("SPOOL_DURABILITY", args[3]); // SpoolKillTest
        }
        StoragePool pool = StoragePool.create(config.build());
        Recorder recorder = recorder(pool, args.length > 4 ? args[4] : "usage", args);
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
        out.println("READY");
        out.flush();
        AtomicInteger next = new AtomicInteger();
        for (int t = 0; t < 4; t++) {
            Thread thread = new Thread(() -> {
                List<String> acknowledged = new ArrayList<>(100);
                while (true) {
                    int i = next.getAndIncrement();
                    String id;
                    try {
                        id = recorder.record(i);
                    } catch (BufferFullException full) {
                        continue;
                    } catch (IllegalStateException closed) {
                        break; // the shutdown hook closed the writer: nothing more is acknowledged
                    }
                    acknowledged.add(id);
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

    private static Recorder recorder(StoragePool pool, String kind, String[] args) {
        String run = Long.toHexString(System.nanoTime()); // each child's rows are its own
        Instant t0 = Instant.parse("2026-03-01T00:00:00Z");
        switch (kind) {
            case "usage":
                return i -> {
                    UsageMetric row = FaultSupport.row(i);
                    pool.usage().buffered().record(row);
                    return row.eventId().toString();
                };
            case "span":
                return i -> {
                    LlmSpan span = LlmSpan.builder().traceId("kill-" + run + "-" + (i / 10)).spanId("s-" + i)
                            .name("chat 💥").operation(LlmSpan.CHAT).provider("openai").model("gpt-4o")
                            .usage(100 + i % 1000, 20).cost(new BigDecimal("0.000123"), "caller")
                            .startTime(t0.plusMillis(i)).endTime(t0.plusMillis(i + 40)).attribute("app.i", "v" + i)
                            .build();
                    pool.traces().write(span);
                    return span.traceId() + "/" + span.spanId();
                };
            case "operation": {
                LlmSession session = new LlmSession(UUID.randomUUID(), "kill", "agent", t0, Map.of("run", run));
                pool.operations().ensureSession(session);
                return i -> {
                    Operation o = Operation.builder(session.sessionId()).timestamp(t0.plusMillis(i)).provider("openai")
                            .model("gpt-4o").tokens(100 + i % 1000, 20).latencyMs(120).cost(new BigDecimal("0.000123"))
                            .extras(Map.of("i", i, "tag", "✓")).build();
                    pool.operations().buffered().record(new OperationWithMessages(o, List.of(
                            OperationMessage.of("user", "question " + i, 0),
                            OperationMessage.of("assistant", "answer " + i + " 𝄞", 1))));
                    return o.operationId().toString();
                };
            }
            case "gateway-usage": {
                long key = Long.parseLong(args[5]);
                long model = Long.parseLong(args[6]);
                long provider = Long.parseLong(args[7]);
                return i -> {
                    UsageRecord r = new UsageRecord(0, UUID.randomUUID(), key, model, provider, t0.plusMillis(i),
                            100 + i % 1000, 20, 120 + i % 1000, new BigDecimal("0.000123"), "{\"i\": " + i + "}", null);
                    pool.gateway().records().buffered().record(r);
                    return r.requestId().toString();
                };
            }
            default:
                throw new IllegalArgumentException("kind must be usage, span, operation or gateway-usage, was " + kind);
        }
    }

    private static void print(PrintStream out, List<String> ids) {
        StringBuilder sb = new StringBuilder(ids.size() * 42);
        for (String id : ids) {
            sb.append("ACK ").append(id).append('\n');
        }
        synchronized (out) {
            out.print(sb);
            out.flush();
        }
        ids.clear();
    }
}
