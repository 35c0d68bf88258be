package io.llmstore.kafka;

import io.llmstore.core.event.LlmEvent;
import java.util.List;

/**
 * Stores or acts on a batch of events read by an {@link EventConsumer}. Offsets are committed only after it returns.
 *
 * <p>What it may throw, and what the consumer then does:
 * <ul>
 *   <li>a retryable {@link io.llmstore.core.error.StorageException} (database down, timeout): the same batch is
 *       handed again after a backoff, forever, until it succeeds or the consumer is closed; nothing is committed or
 *       skipped meanwhile;</li>
 *   <li>an {@link IllegalArgumentException} or a non-retryable StorageException (a record the store refuses): the
 *       batch is handed again one event at a time, and each event that still fails goes to the dead-letter topic;
 *       its neighbours are stored;</li>
 *   <li>anything else: the consumer stops without committing the batch (it is redelivered after a restart) and
 *       reports the failure in {@link EventConsumer#failure()}.</li>
 * </ul>
 * Because a batch may be handed again (retry, crash before commit, rebalance), a handler must be idempotent, e.g. by
 * storing each {@link LlmEvent#eventId()} once. Called on the consumer's own thread, one batch at a time.
 */
@FunctionalInterface
public interface EventBatchHandler {
    /** Handles the events, in partition order; the list is never empty. */
    void handle(List<LlmEvent> events);
}
