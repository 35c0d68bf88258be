package io.llmstore.core.ratelimit;

/** What a limiter decides when its backend cannot answer (Redis down or slower than its command timeout). */
public enum FailurePolicy {
    /** Allow the call: availability over strictness. The decision says {@link Decision#isFailedOpen()}. */
    FAIL_OPEN,
    /** Deny the call: strictness over availability (quotas that cost money). */
    FAIL_CLOSED
}
