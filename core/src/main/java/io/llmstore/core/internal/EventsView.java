package io.llmstore.core.internal;

import io.llmstore.core.event.EventPublisher;
import io.llmstore.core.event.EventSink;
import io.llmstore.core.event.Events;
import io.llmstore.core.event.LlmEvent;
import io.llmstore.core.event.PublishReceipt;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/** {@link Events#of}: delegates, holds nothing of its own. */
public final class EventsView implements Events {
    private final EventPublisher publisher;
    private final Supplier<EventSink> sink;

    public EventsView(EventPublisher publisher, Supplier<EventSink> sink) {
        this.publisher = Objects.requireNonNull(publisher, "publisher");
        this.sink = Objects.requireNonNull(sink, "sink");
    }

    @Override
    public CompletableFuture<PublishReceipt> publish(LlmEvent event) {
        return publisher.publish(event);
    }

    @Override
    public CompletableFuture<List<PublishReceipt>> publishAll(List<LlmEvent> events) {
        return publisher.publishAll(events);
    }

    @Override
    public void flush() {
        publisher.flush();
    }

    @Override
    public EventSink sink() {
        return sink.get();
    }

    @Override
    public String toString() {
        return publisher.toString();
    }
}
