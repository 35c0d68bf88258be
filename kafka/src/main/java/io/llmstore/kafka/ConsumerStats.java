package io.llmstore.kafka;

/**
 * Counters of an {@link EventConsumer} since it started.
 *
 * @param received     records polled from the topic (redeliveries included)
 * @param handled      events the handler accepted
 * @param deadLettered records sent to the dead-letter topic
 * @param retries      batch attempts that failed with a retryable error and were retried
 * @param commits      successful offset commits
 */
public record ConsumerStats(long received, long handled, long deadLettered, long retries, long commits)
        implements io.llmstore.core.event.EventSink.Stats {
}
