package io.llmstore.core.ratelimit;

/**
 * Decides whether a key (user, API key, tenant) may proceed, under every limit of its {@link RateLimitPolicy} at
 * once, all or nothing: a call denied by one limit consumes nothing from the others.
 *
 * <pre>{@code
 * Decision d = limiter.tryAcquire("user:42");
 * if (!d.allowed()) response.setHeader("Retry-After", String.valueOf(d.retryAfter().toSeconds() + 1));
 *
 * Reservation r = limiter.reserve("user:42", estimatedTokens);   // before the LLM call
 * if (r.isGranted()) { ... call ...; limiter.settle(r, actualTokens); }
 * }</pre>
 *
 * <p>A denial is a {@link Decision}, not an exception. When the backend cannot answer within its timeout the
 * policy's {@link FailurePolicy} decides and the decision says so ({@link Decision#backendUnavailable()}); no
 * backend failure escapes as an exception. Thread-safe.
 */
public interface RateLimiter {
    /** One permit; see {@link #tryAcquire(String, long)}. */
    default Decision tryAcquire(String key) {
        return tryAcquire(key, 1);
    }

    /**
     * Takes {@code permits} (tokens, for a tokens-per-minute limit; limits {@link RateLimit.Charge#ONE_PER_CALL
     * charged per call} take one) from every limit, or nothing when any limit denies.
     *
     * @param key     the limited entity; any non-empty string up to 1024 characters, used verbatim
     * @param permits {@code >= 1}; more than a permits-charged limit allows in a whole window is denied with
     *                {@link Decision#exceedsLimit()} (it could never be granted), charging nothing
     * @throws IllegalArgumentException for an invalid key or a permit count below 1
     */
    Decision tryAcquire(String key, long permits);

    /**
     * Takes an estimate now, to be {@link #settle settled} with the actual count after the call. Same decision as
     * {@link #tryAcquire(String, long)}.
     */
    Reservation reserve(String key, long estimatedPermits);

    /**
     * Settles a reservation with the actual permits used: refunds the difference when fewer were used (to the
     * window that was charged, while it lasts), charges it when more were (even beyond the limit: the permits were
     * spent, so later calls wait). Limits charged per call are not changed. A denied reservation is a no-op. A
     * backend failure is logged and swallowed: the call it settles has already happened.
     *
     * @param actualPermits {@code >= 0}
     */
    void settle(Reservation reservation, long actualPermits);

    /**
     * Gives back everything a granted reservation took, per-call limits included, as if the call had not been made
     * (the LLM call failed before it used anything). Same rules as {@link #settle}: into the window that was charged,
     * a denied reservation is a no-op, a backend failure is logged and swallowed. Call it once, instead of
     * {@code settle}:
     *
     * <pre>{@code
     * Reservation r = limiter.reserve("user:42", estimatedTokens);
     * try { res = llm.call(...); } catch (RuntimeException e) { limiter.release(r); throw e; }
     * limiter.settle(r, res.totalTokens());
     * }</pre>
     */
    void release(Reservation reservation);

    /** The limits this limiter enforces. */
    RateLimitPolicy policy();
}
