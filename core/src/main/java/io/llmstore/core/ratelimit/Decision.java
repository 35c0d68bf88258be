package io.llmstore.core.ratelimit;

import java.time.Duration;

/**
 * The answer of a rate limiter.
 *
 * @param allowed    true when the request may proceed
 * @param remaining  permits left in the current window after this decision
 * @param retryAfter time until the next permit (zero when allowed), for a Retry-After header
 */
public record Decision(boolean allowed, long remaining, Duration retryAfter) {
}
