package io.llmstore.examples.analytics;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.event.LlmEvent;
import io.llmstore.core.event.PublishReceipt;
import io.llmstore.kafka.EventConsumer;
import io.llmstore.kafka.KafkaOptions;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** How do I stream LLM call events through Kafka and react to them in another service? */
public final class PublishAndConsumeEvents {
    private PublishAndConsumeEvents() {
    }

    /** Runs the example with {@code KAFKA_BOOTSTRAP_SERVERS} from the environment. */
    public static void main(String[] args) throws InterruptedException {
        run(StorageConfig.fromEnv(), System.out);
    }

    /** Publishes three events, then consumes them in group {@code analytics-example}; returns what it consumed. */
    public static List<LlmEvent> run(StorageConfig config, PrintStream out) throws InterruptedException {
        try (StoragePool pool = StoragePool.create(config)) { // creates the topics when missing
            List<LlmEvent> events = List.of(
                    event("user-1", "gpt-4o", 120, 48), event("user-2", "gpt-4o-mini", 900, 300),
                    event("user-1", "claude-haiku-4-5", 2_000, 150));
            for (PublishReceipt r : pool.events().publishAll(events).join()) { // acknowledged by the broker (acks=all)
                out.println("published " + r.eventId() + " to " + r.topic() + "-" + r.partition() + "@" + r.offset());
            }

            // The consuming side, usually another service: batches of events, on the consumer's own thread.
            Set<UUID> ours = events.stream().map(LlmEvent::eventId).collect(Collectors.toSet());
            List<LlmEvent> received = new CopyOnWriteArrayList<>();
            CountDownLatch allThree = new CountDownLatch(events.size());
            try (EventConsumer consumer = EventConsumer.builder(KafkaOptions.from(config), batch -> {
                for (LlmEvent e : batch) {
                    if (ours.contains(e.eventId())) { // the topic may hold other producers' events too
                        received.add(e);
                        allThree.countDown();
                    }
                }
            }).groupId("analytics-example").build().start()) {
                if (!allThree.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("consumed " + received.size() + " of " + events.size()
                            + " events within 60 s");
                }
            }
            for (LlmEvent e : received) {
                out.println("consumed " + e.eventId() + ": " + e.userId() + " " + e.modelId() + " "
                        + (e.tokenInput() + e.tokenOutput()) + " tokens");
            }
            return received;
        }
    }

    private static LlmEvent event(String user, String model, long in, long outTokens) {
        return LlmEvent.builder().timestamp(Instant.now()).provider(model.startsWith("claude") ? "anthropic" : "openai")
                .model(model).user(user).tokens(in, outTokens).latency(Duration.ofMillis(640))
                .costUsd(new BigDecimal("0.00123")).attribute("environment", "prod").build();
    }
}
