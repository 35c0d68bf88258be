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
 */
public record Decision(boolean allowed, long remaining, Duration retryAfter, String limitName,
                       boolean backendUnavailable) {
    public Decision {
        Objects.requireNonNull(retryAfter, "retryAfter");
        Objects.requireNonNull(limitName, "limitName");
        if (remaining < 0) {
            throw new IllegalArgumentException("remaining must be >= 0, was " + remaining);
        }
        if (retryAfter.isNegative()) {
            throw new IllegalArgumentException("retryAfter must be >= 0, was " + retryAfter);
        }
    }

    /** An allowed decision. */
    public static Decision allowed(String limitName, long remaining) {
        return new Decision(true, remaining, Duration.ZERO, limitName, false);
    }

    /** A denied decision. */
    public static Decision denied(String limitName, long remaining, Duration retryAfter) {
        return new Decision(false, remaining, retryAfter, limitName, false);
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
