package io.llmstore.core.event;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Publishes {@link LlmEvent}s to the event stream (Kafka's {@code llm-events} topic).
 *
 * <p>Contract: thread-safe; events with the same partition key (by default the user, else the model) are stored in
 * publish order. {@code publish} never blocks the caller beyond the configured bound ({@code KAFKA_PRODUCER_MAX_BLOCK})
 * and never throws for a backend failure: the returned future fails instead, with a
 * {@link io.llmstore.core.error.ConnectionException} (broker unreachable within the bound), a
 * {@link io.llmstore.core.error.BufferFullException} (the send buffer stayed full), a
 * {@link io.llmstore.core.error.StorageTimeoutException} (not acknowledged within the delivery timeout) or another
 * {@link io.llmstore.core.error.StorageException}. A null event throws {@link NullPointerException} at once.
 * Futures complete on the client's I/O thread: chain heavy work with the {@code *Async} variants.
 */
public interface EventPublisher {
    /** Sends the event; the future completes with its coordinates once the broker acknowledged it. */
    CompletableFuture<PublishReceipt> publish(LlmEvent event);

    /**
     * Sends every event, in order; the future completes when all were acknowledged (receipts in the same order), or
     * fails with the first failure. Events sent before a failure stay published.
     */
    default CompletableFuture<List<PublishReceipt>> publishAll(List<LlmEvent> events) {
        List<CompletableFuture<PublishReceipt>> futures = new ArrayList<>(events.size());
        for (LlmEvent event : events) {
            futures.add(publish(event));
        }
        return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            List<PublishReceipt> receipts = new ArrayList<>(futures.size());
            futures.forEach(f -> receipts.add(f.join()));
            return receipts;
        });
    }

    /** Blocks until every event published so far was acknowledged or failed. */
    void flush();
}
