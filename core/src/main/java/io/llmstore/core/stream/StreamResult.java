package io.llmstore.core.stream;

import io.llmstore.core.usage.UsageMetric;

/**
 * What a recorded stream came to: its one usage row and how it ended.
 *
 * @param metric   the row handed to the writer (tokens, cost, usage source, time to first token, finish reason)
 * @param end      how the stream ended
 * @param recorded false when the writer refused the row (logged and counted in {@link StreamRecorder#stats()})
 */
public record StreamResult(UsageMetric metric, StreamEnd end, boolean recorded) {
}
