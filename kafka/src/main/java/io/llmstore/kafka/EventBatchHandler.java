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
 *   <li>a refusal for the events' own data, an {@link IllegalArgumentException} or a
 *       {@link io.llmstore.core.error.QueryException} the storage adapter marked
 *       {@link io.llmstore.core.error.QueryException#isDataError() a data error} (see
 *       {@link io.llmstore.core.failure.PoisonIsolation#isPoison}): the batch is bisected, each half handed on its
 *       own, until every refused event stands alone; those go to the dead-letter topic, their neighbours are
 *       stored;</li>
 *   <li>anything else (including a non-retryable failure that is not the data's fault, such as a missing table): the
 *       consumer stops without committing the batch (it is redelivered after a restart) and
 *       reports the failure in {@link EventConsumer#failure()}.</li>
 * </ul>
 * Because a batch may be handed again (retry, crash before commit, rebalance), a handler must be idempotent, e.g. by
 * storing each {@link LlmEvent#eventId()} once. Called on the consumer's own thread, one batch at a time.
 */
@FunctionalInterface
public interface EventBatchHandler {
    /** Handles the events, in partition order; the list is never empty. */
    void handle(List<LlmEvent> events);

    /**
     * Checks one event before it is handed in a batch: throws {@link IllegalArgumentException} (naming the field) for
     * an event {@link #handle} could never take, which then goes to the dead-letter topic at once without failing
     * its batch. Cheap and side-effect free; default: accepts every event.
     */
    default void check(LlmEvent event) {
    }
}
