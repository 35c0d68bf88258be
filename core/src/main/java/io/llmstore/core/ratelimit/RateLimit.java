package io.llmstore.core.ratelimit;

import java.time.Duration;
import java.util.Objects;

/**
 * One limit: at most {@code limit} permits per {@code window} for each key (user, API key, tenant).
 *
 * <pre>{@code
 * RateLimit rpm = RateLimit.of("rpm", 60, Duration.ofMinutes(1)).chargedPerCall();   // requests per minute
 * RateLimit tpm = RateLimit.of("tpm", 100_000, Duration.ofMinutes(1));             // tokens per minute
 * }</pre>
 *
 * <p>The {@code name} identifies the counter: two limiters that use the same name for the same key share it, so
 * every application instance must declare a named limit with the same limit and window.
 *
 * @param name      the counter's name, part of the backend key: letters, digits, {@code _ . -}, 1..64 characters
 * @param limit     permits per window, {@code >= 1}
 * @param window    the window, a whole number of milliseconds {@code >= 1 ms}; {@code limit * window in ms} must
 *                  not exceed 2^53 (so the server-side arithmetic stays exact)
 * @param algorithm how the window moves; {@link Algorithm#FIXED_WINDOW} by default
 * @param charge    what one call costs: the permits asked for, or one per call (a request count next to a token count)
 */
public record RateLimit(String name, long limit, Duration window, Algorithm algorithm, Charge charge) {
    /** Largest {@code limit * windowMillis}: integers stay exact in the Lua doubles of the Redis scripts. */
    public static final long MAX_LIMIT_TIMES_WINDOW_MS = 1L << 53;

    /** How a limit's window moves. */
    public enum Algorithm {
        /**
         * A counter per key that starts with the first permit and expires {@code window} later (the classic
         * {@code INCR} + {@code EXPIRE}); up to {@code limit} permits per window, a burst of 2x possible across a
         * window boundary.
         */
        FIXED_WINDOW,
        /**
         * A token bucket of capacity {@code limit} refilled continuously at {@code limit / window}, implemented as
         * GCRA (one timestamp per key): a full burst, then one permit every {@code window / limit}.
         */
        TOKEN_BUCKET
    }

    /** What one call costs against this limit. */
    public enum Charge {
        /** The permits asked for ({@code tryAcquire(key, tokens)}): a tokens-per-minute limit. */
        PERMITS,
        /** One per call, whatever the permits asked for: a requests-per-minute limit next to a token limit. */
        ONE_PER_CALL
    }

    public RateLimit {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(charge, "charge");
        if (!name.matches("[A-Za-z0-9_.\\-]{1,64}")) {
            throw new IllegalArgumentException("name must be 1..64 letters, digits, '_', '.' or '-', was '" + name + "'");
        }
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, was " + limit);
        }
        if (window.compareTo(Duration.ofMillis(1)) < 0 || window.toNanos() % 1_000_000 != 0) {
            throw new IllegalArgumentException("window must be a whole number of milliseconds >= 1ms, was " + window);
        }
        if (window.toMillis() > MAX_LIMIT_TIMES_WINDOW_MS / limit) {
            throw new IllegalArgumentException("limit * window in ms must be <= 2^53, was " + limit + " * "
                    + window.toMillis());
        }
    }

    /** A fixed-window limit charged by permits. */
    public static RateLimit of(String name, long limit, Duration window) {
        return new RateLimit(name, limit, window, Algorithm.FIXED_WINDOW, Charge.PERMITS);
    }

    /** This limit with another algorithm. */
    public RateLimit withAlgorithm(Algorithm algorithm) {
        return new RateLimit(name, limit, window, algorithm, charge);
    }

    /** This limit charged one per call, whatever the permits asked for. */
    public RateLimit chargedPerCall() {
        return new RateLimit(name, limit, window, algorithm, Charge.ONE_PER_CALL);
    }

    /** What a call asking for {@code permits} costs against this limit. */
    public long cost(long permits) {
        return charge == Charge.ONE_PER_CALL ? 1 : permits;
    }

    /** {@code window} in milliseconds. */
    public long windowMillis() {
        return window.toMillis();
    }
}
