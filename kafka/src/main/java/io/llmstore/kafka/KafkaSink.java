package io.llmstore.kafka;

import io.llmstore.core.event.EventSink;
import io.llmstore.core.event.LlmEvent;
import io.llmstore.core.usage.UsageMetric;
import io.llmstore.core.usage.UsageWriter;
import io.llmstore.kafka.internal.EventToUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.clients.producer.Producer;

/**
 * The events topic into {@code llm_usage_metrics}: an {@link EventConsumer} (group {@code KAFKA_SINK_GROUP}) whose
 * handler converts each {@link LlmEvent} into a {@link UsageMetric} and writes the batch through the
 * {@link UsageWriter} port in one call.
 *
 * <p>Exact despite at-least-once delivery: the writer skips event ids it already stored, so a batch redelivered
 * after a crash between write and commit adds no rows. A record that is not an event, an event no usage row can hold
 * (e.g. a cost with more decimal places than {@code NUMERIC(28,18)} holds: checked one by one before the batch is
 * written) or an event the writer refuses (the batch is bisected until it stands alone) goes to the dead-letter topic;
 * its neighbours are stored. While the
 * database is down (retryable errors) the sink retries the same batch and commits nothing, so Kafka holds the events
 * until the database is back.
 *
 * <p>Started explicitly ({@link #start()}); the application gets it from {@code pool.events().sink()} (the pool owns
 * and closes that one) or builds its own with {@link #create}. Thread-safe; see {@link EventConsumer}.
 */
public final class KafkaSink implements EventSink {
    private final EventConsumer consumer;

    private KafkaSink(EventConsumer consumer) {
        this.consumer = consumer;
    }

    /**
     * A sink (not started) writing to {@code writer}, with its own consumer and dead-letter producer.
     *
     * @param options the Kafka options (group {@code KAFKA_SINK_GROUP}, topics, timeouts)
     * @param writer  where rows go; must skip event ids it already stored; not closed by the sink
     */
    public static KafkaSink create(KafkaOptions options, UsageWriter writer) {
        return create(options, writer, null);
    }

    /** As {@link #create(KafkaOptions, UsageWriter)}, dead-lettering through {@code producer} (not closed) when non-null. */
    public static KafkaSink create(KafkaOptions options, UsageWriter writer, Producer<byte[], byte[]> producer) {
        Objects.requireNonNull(writer, "writer");
        EventBatchHandler handler = new EventBatchHandler() {
            @Override
            public void handle(List<LlmEvent> events) {
                writer.recordAll(toUsageMetrics(events));
            }

            @Override
            public void check(LlmEvent event) {
                EventToUsage.convert(event); // an event no usage row can hold is dead-lettered alone, up front
            }
        };
        EventConsumer.Builder b = EventConsumer.builder(options, handler);
        if (producer != null) {
            b.deadLetterProducer(producer);
        }
        return new KafkaSink(b.build());
    }

    /** The usage row an event stands for (one request; {@code error} events count as failed); see docs/events.md. */
    public static UsageMetric toUsageMetric(LlmEvent event) {
        return EventToUsage.convert(event);
    }

    private static List<UsageMetric> toUsageMetrics(List<LlmEvent> events) {
        List<UsageMetric> rows = new ArrayList<>(events.size());
        for (LlmEvent e : events) {
            rows.add(EventToUsage.convert(e));
        }
        return rows;
    }

    /** Starts consuming on a background thread; returns at once. Call once. */
    @Override
    public KafkaSink start() {
        consumer.start();
        return this;
    }

    /** True while consuming. */
    @Override
    public boolean isRunning() {
        return consumer.isRunning();
    }

    /** What stopped the sink, if something did. */
    @Override
    public Optional<Throwable> failure() {
        return consumer.failure();
    }

    /** Records read, events stored, records dead-lettered, retries, commits. */
    @Override
    public ConsumerStats stats() {
        return consumer.stats();
    }

    /** Stops after the current batch, commits it, closes the consumer. Idempotent, bounded. */
    @Override
    public void close() {
        consumer.close();
    }

    @Override
    public String toString() {
        return "KafkaSink{" + consumer + "}";
    }
}
