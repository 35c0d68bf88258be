package io.llmstore.integration.faults;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.event.LlmEvent;
import io.llmstore.core.event.PublishReceipt;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The application of {@link EventSpoolKillTest}, run in its own JVM: a pool on the Kafka broker {@code args[0]} with
 * topic prefix {@code args[1]}, {@code SPOOL_DIR} {@code args[2]} and {@code SPOOL_DURABILITY} {@code args[3]}; prints
 * {@code READY}, then publishes events from 4 threads as fast as {@code pool.events().publish} accepts them and never
 * calls {@code close()}. A publish whose returned future had not failed is accepted (spooled per the durability):
 * after every 100 of them a thread prints {@code ACK <event id>} for each.
 */
public final class PublishingChild {
    private PublishingChild() {
    }

    public static void main(String[] args) throws Exception {
        StoragePool pool = StoragePool.create(StorageConfig.builder()
                .kafkaBootstrapServers(args[0])
                .set("KAFKA_TOPIC_PREFIX", args[1])
                .set("KAFKA_SINK_GROUP", args[1] + "sink")
                .set("SPOOL_DIR", args[2])
                .set("SPOOL_DURABILITY", args[3])
                .build());
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
        out.println("READY");
        out.flush();
        AtomicLong next = new AtomicLong();
        for (int t = 0; t < 4; t++) {
            Thread thread = new Thread(() -> {
                List<LlmEvent> accepted = new ArrayList<>(100);
                while (true) {
                    LlmEvent e = event(next.getAndIncrement());
                    CompletableFuture<PublishReceipt> f = pool.events().publish(e);
                    if (f.isCompletedExceptionally()) {
                        continue; // refused (spool full): not accepted
                    }
                    accepted.add(e);
                    if (accepted.size() == 100) {
                        print(out, accepted);
                    }
                }
            }, "publish-" + t);
            thread.start();
        }
        Thread.sleep(Long.MAX_VALUE);
    }

    static LlmEvent event(long i) {
        return LlmEvent.builder()
                // Now, not a fixed past date: the topic's 7-day retention applies to record timestamps.
                .timestamp(Instant.now())
                .model(i % 2 == 0 ? "gpt-4o" : "claude-sonnet").provider(i % 2 == 0 ? "openai" : "anthropic")
                .user("user-" + (i % 97)).tokens(100, 20).latency(Duration.ofMillis(200))
                .costUsd(new BigDecimal("0.001")).build();
    }

    private static void print(PrintStream out, List<LlmEvent> events) {
        StringBuilder sb = new StringBuilder(events.size() * 42);
        for (LlmEvent e : events) {
            sb.append("ACK ").append(e.eventId()).append('\n');
        }
        synchronized (out) {
            out.print(sb);
            out.flush();
        }
        events.clear();
    }
}
