package io.llmstore.core.ratelimit;

import java.util.List;
import java.util.Objects;

/**
 * Permits taken ahead of a call whose real cost is known only after it (an LLM call's tokens): reserve an estimate,
 * make the call, then {@link RateLimiter#settle settle} with the actual count, which refunds or charges the
 * difference.
 *
 * @param key       the limited key
 * @param permits   the permits reserved (the estimate)
 * @param decision  whether the reservation was granted; a denied one settles as a no-op
 * @param windows   backend-specific identity of the window each limit charged, in policy order (so a refund never
 *                  lands in a later window); opaque to callers
 */
public record Reservation(String key, long permits, Decision decision, List<Long> windows) {
    public Reservation {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(decision, "decision");
        windows = List.copyOf(windows);
        if (permits < 1) {
            throw new IllegalArgumentException("permits must be >= 1, was " + permits);
        }
    }

    /** True when the permits were granted (also when granted by fail-open). */
    public boolean isGranted() {
        return decision.allowed();
    }
}
