package io.llmstore.core.ratelimit;

import java.time.Duration;
import java.util.Objects;

/**
 * The answer of a rate limiter. A denial is a result, not an exception.
 *
 * <p>With several limits, {@code limitName} names the limit that decided: when denied, the one that denies with the
 * longest wait; when allowed, the one with the fewest permits left. {@code remaining} and {@code retryAfter} are that
 * limit's.
 *
 * @param allowed            true when the call may proceed
 * @param remaining          permits left in {@code limitName} after this decision, {@code >= 0} (0 when the backend
 *                           was unavailable: nothing is known)
 * @param retryAfter         when denied, the wait until the permits could be granted (for a Retry-After header);
 *                           zero when allowed
 * @param limitName          the limit that decided
 * @param backendUnavailable true when the backend could not answer and the limiter's {@link FailurePolicy} decided
 * @param resetAfter         when {@code limitName} is whole again, from the decision: its fixed window's end, or the
 *                           moment its token bucket is full (for an {@code X-RateLimit-Reset} header: the seconds,
 *                           or now + this); zero when unknown (backend unavailable, or a limit exceeded)
 * @param exceedsLimit       true when the call asked for more permits than {@code limitName} allows in a whole
 *                           window: it can never be granted, so retrying does not help (answer e.g. 413 or 400, not
 *                           429); {@code retryAfter} is then zero and nothing was charged
 */
public record Decision(boolean allowed, long remaining, Duration retryAfter, String limitName,
                       boolean backendUnavailable, Duration resetAfter, boolean exceedsLimit) {
    public Decision {
        Objects.requireNonNull(retryAfter, "retryAfter");
        Objects.requireNonNull(limitName, "limitName");
        Objects.requireNonNull(resetAfter, "resetAfter");
        if (resetAfter.isNegative()) {
            throw new IllegalArgumentException("resetAfter must be >= 0, was " + resetAfter);
        }
        if (exceedsLimit && allowed) {
            throw new IllegalArgumentException("a decision that exceeds the limit '" + limitName + "' cannot allow");
        }
        if (remaining < 0) {
            throw new IllegalArgumentException("remaining must be >= 0, was " + remaining);
        }
        if (retryAfter.isNegative()) {
            throw new IllegalArgumentException("retryAfter must be >= 0, was " + retryAfter);
        }
    }

    /** A decision without reset time or limit excess (the form before those were added). */
    public Decision(boolean allowed, long remaining, Duration retryAfter, String limitName, boolean backendUnavailable) {
        this(allowed, remaining, retryAfter, limitName, backendUnavailable, Duration.ZERO, false);
    }

    /** An allowed decision, reset time unknown. */
    public static Decision allowed(String limitName, long remaining) {
        return allowed(limitName, remaining, Duration.ZERO);
    }

    /** An allowed decision; {@code limitName} is whole again after {@code resetAfter}. */
    public static Decision allowed(String limitName, long remaining, Duration resetAfter) {
        return new Decision(true, remaining, Duration.ZERO, limitName, false, resetAfter, false);
    }

    /** A denied decision that resets when it may be retried. */
    public static Decision denied(String limitName, long remaining, Duration retryAfter) {
        return denied(limitName, remaining, retryAfter, retryAfter);
    }

    /** A denied decision; {@code limitName} is whole again after {@code resetAfter}. */
    public static Decision denied(String limitName, long remaining, Duration retryAfter, Duration resetAfter) {
        return new Decision(false, remaining, retryAfter, limitName, false, resetAfter, false);
    }

    /**
     * The denial of a call asking for more than {@code limitName} allows in a whole window ({@code limit}): it can
     * never be granted. Decided without the backend; nothing is charged.
     */
    public static Decision exceedingLimit(String limitName) {
        return new Decision(false, 0, Duration.ZERO, limitName, false, Duration.ZERO, true);
    }

    /** The decision of {@link FailurePolicy} when the backend could not answer. */
    public static Decision onBackendFailure(FailurePolicy policy, String limitName, Duration retryAfter) {
        return policy == FailurePolicy.FAIL_OPEN
                ? new Decision(true, 0, Duration.ZERO, limitName, true)
                : new Decision(false, 0, retryAfter, limitName, true);
    }

    /** True when the backend was unavailable and the call was allowed anyway (fail-open). */
    public boolean isFailedOpen() {
        return backendUnavailable && allowed;
    }

    /** True when the backend was unavailable and the call was denied (fail-closed). */
    public boolean isFailedClosed() {
        return backendUnavailable && !allowed;
    }
}
