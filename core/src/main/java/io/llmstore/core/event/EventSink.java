package io.llmstore.core.event;

import io.llmstore.core.spi.BackendDescriptor;
import io.llmstore.core.spi.Feature;
import java.util.Optional;

/**
 * The events topic into usage rows, {@code pool.events().sink()}: consumes published {@link LlmEvent}s and records
 * each as a usage row, exactly once per event id. Not started until {@link #start()}; the pool owns the one it hands
 * out and closes it on {@code pool.close()}. Served by {@code llmstore-kafka} when PostgreSQL is open too.
 */
public interface EventSink extends AutoCloseable {
    /** The feature's descriptor: needs Kafka (to read) and PostgreSQL (to write). */
    Feature<EventSink> FEATURE = Feature.of("the usage sink (events into usage rows)", EventSink.class,
            BackendDescriptor.KAFKA, BackendDescriptor.POSTGRES);

    /** Starts consuming on a background thread; returns at once. Call once. */
    EventSink start();

    /** True while consuming. */
    boolean isRunning();

    /** What stopped the sink, if something did. */
    Optional<Throwable> failure();

    /** Counters since the sink started. */
    Stats stats();

    /** Stops after the current batch, commits it, closes the consumer. Idempotent, bounded. */
    @Override
    void close();

    /** A sink's counters since it started. */
    interface Stats {
        /** Records read from the topic (redeliveries included). */
        long received();

        /** Events stored as usage rows. */
        long handled();

        /** Records sent to the dead-letter topic. */
        long deadLettered();

        /** Batch attempts that failed with a retryable error and were retried. */
        long retries();

        /** Successful offset commits. */
        long commits();
    }
}
