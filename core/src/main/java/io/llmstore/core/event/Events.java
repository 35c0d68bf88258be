package io.llmstore.core.event;

import io.llmstore.core.internal.EventsView;
import io.llmstore.core.spi.BackendDescriptor;
import io.llmstore.core.spi.Feature;
import java.util.function.Supplier;

/**
 * The event-streaming feature, {@code pool.events()}: publishes events (this {@link EventPublisher}) and hands out
 * the {@link #sink()} that turns them into usage rows. Served by the Kafka backend ({@code llmstore-kafka}).
 * Thread-safe; the pool owns everything reached from here.
 */
public interface Events extends EventPublisher {
    /** The feature's descriptor: needs Kafka. */
    Feature<Events> FEATURE = Feature.of("event publishing", Events.class, BackendDescriptor.KAFKA);

    /**
     * The pool's usage sink (the same one on every call; not started: call {@link EventSink#start()}).
     *
     * @throws io.llmstore.core.error.NotConfiguredException when PostgreSQL is not open (the sink writes there),
     *                                                       naming what to set ({@link EventSink#FEATURE})
     */
    EventSink sink();

    /**
     * The feature over an adapter's parts; for backend modules.
     *
     * @param publisher what {@link #publish} and {@link #flush} delegate to
     * @param sink      returns the sink, or throws {@code EventSink.FEATURE.notConfigured(..)}
     */
    static Events of(EventPublisher publisher, Supplier<EventSink> sink) {
        return new EventsView(publisher, sink);
    }
}
