package io.llmstore.core.ratelimit;

/**
 * What a limiter decides when its backend cannot answer (Redis down or slower than its command timeout).
 *
 * <p>Either way, such a decision charges nothing: the Redis limiter sends each decision with the instant its caller
 * gives up (on Redis's clock, measured at connect), and a script that a hung server runs after that instant (it was
 * already queued on the connection) returns without charging. A {@code settle} that times out may still be applied
 * when the server resumes: it records permits that were really spent.
 */
public enum FailurePolicy {
    /** Allow the call: availability over strictness. The decision says {@link Decision#isFailedOpen()}. */
    FAIL_OPEN,
    /** Deny the call: strictness over availability (quotas that cost money). */
    FAIL_CLOSED
}
