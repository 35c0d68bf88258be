package io.llmstore.core.usage;

/**
 * Errors of one provider and model over a window.
 *
 * @param provider  the provider
 * @param modelId   the model
 * @param requests  sum of request counts
 * @param errors    sum of error counts
 * @param successes sum of success counts
 * @param errorRate {@code errors / requests}, 0 when there were no requests
 */
public record ErrorSummary(String provider, String modelId, long requests, long errors, long successes,
                           double errorRate) {
}
