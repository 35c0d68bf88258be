package io.llmstore.core.config;

import io.llmstore.core.config.internal.Durations;
import java.time.Duration;
import java.util.Objects;

/**
 * How retryable failures are retried: exponential backoff with jitter.
 *
 * @param maxAttempts    attempts including the first, >= 1
 * @param initialBackoff wait before the first retry
 * @param multiplier     growth per retry, >= 1
 * @param maxBackoff     cap on one wait
 * @param jitter         randomization factor in [0, 1)
 */
public record RetrySettings(int maxAttempts, Duration initialBackoff, double multiplier, Duration maxBackoff, double jitter) {
    /** 3 attempts, 100 ms, x2, at most 5 s, jitter 0.5: the documented defaults. */
    public static final RetrySettings DEFAULT = new RetrySettings(3, Duration.ofMillis(100), 2.0, Duration.ofSeconds(5), 0.5);

    public RetrySettings {
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
        }
        if (initialBackoff.isNegative() || initialBackoff.isZero()) {
            throw new IllegalArgumentException("initialBackoff must be > 0, was " + initialBackoff);
        }
        if (!(multiplier >= 1.0)) {
            throw new IllegalArgumentException("multiplier must be >= 1, was " + multiplier);
        }
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("maxBackoff must be >= initialBackoff, was " + maxBackoff);
        }
        if (!(jitter >= 0.0 && jitter < 1.0)) {
            throw new IllegalArgumentException("jitter must be >= 0 and < 1, was " + jitter);
        }
    }

    @Override
    public String toString() {
        return "RetrySettings{maxAttempts=" + maxAttempts + ", backoff=" + Durations.format(initialBackoff) + " x" + multiplier
                + " up to " + Durations.format(maxBackoff) + ", jitter=" + jitter + "}";
    }
}
