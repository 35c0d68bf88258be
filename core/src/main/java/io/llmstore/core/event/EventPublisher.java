package io.llmstore.core.event;

import java.util.concurrent.CompletableFuture;

/** Publishes LLM events to the event stream. Never blocks the caller beyond the configured bound. */
public interface EventPublisher {
    /** Sends the event; the future completes when the broker acknowledged it. */
    CompletableFuture<Void> publish(Object event);
}
