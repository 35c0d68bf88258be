package io.llmstore.core.ratelimit;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The limits one limiter enforces together, all or nothing, and what it does when its backend fails.
 *
 * <pre>{@code
 * RateLimitPolicy policy = RateLimitPolicy.of(
 *         RateLimit.of("rpm", 60, Duration.ofMinutes(1)).chargedPerCall(),
 *         RateLimit.of("tpm", 100_000, Duration.ofMinutes(1)))
 *     .withFailurePolicy(FailurePolicy.FAIL_CLOSED);
 * }</pre>
 *
 * @param limits          1..16 limits with distinct names, decided together in one round trip
 * @param onBackendFailure what to decide when the backend cannot answer; {@link FailurePolicy#FAIL_OPEN} by default
 */
public record RateLimitPolicy(List<RateLimit> limits, FailurePolicy onBackendFailure) {
    /** Most limits in one policy: one script call carries them all. */
    public static final int MAX_LIMITS = 16;

    public RateLimitPolicy {
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(onBackendFailure, "onBackendFailure");
        limits = List.copyOf(limits);
        if (limits.isEmpty() || limits.size() > MAX_LIMITS) {
            throw new IllegalArgumentException("limits must hold 1.." + MAX_LIMITS + " limits, was " + limits.size());
        }
        Set<String> names = new HashSet<>();
        for (RateLimit limit : limits) {
            if (!names.add(limit.name())) {
                throw new IllegalArgumentException("limit names must be distinct, '" + limit.name() + "' repeats");
            }
        }
    }

    /** These limits, failing open. */
    public static RateLimitPolicy of(RateLimit... limits) {
        return new RateLimitPolicy(List.of(limits), FailurePolicy.FAIL_OPEN);
    }

    /** Longest key, in characters. */
    public static final int MAX_KEY_LENGTH = 1024;

    /**
     * Checks one call's arguments, as every implementation does before touching its backend.
     *
     * @throws IllegalArgumentException when {@code key} is null, empty or longer than {@link #MAX_KEY_LENGTH}, when
     *         it holds an unpaired UTF-16 surrogate, or when {@code permits < 1}
     */
    public void checkCall(String key, long permits) {
        if (key == null || key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
            throw new IllegalArgumentException("key must be 1.." + MAX_KEY_LENGTH + " characters, was "
                    + (key == null ? "null" : key.length() + " characters"));
        }
        // Keys become UTF-8 in the backend: a lone surrogate would turn into '?' and share another key's counter.
        io.llmstore.core.cache.PromptKeys.requireWellFormed("key", key);
        if (permits < 1) {
            throw new IllegalArgumentException("permits must be >= 1, was " + permits);
        }
    }

    /**
     * The denial of a call for {@code permits} that some permits-charged limit can never grant (more than its whole
     * window allows), or empty when every limit could. Implementations answer it without their backend: a request
     * with a huge {@code max_tokens} is a result, not an exception.
     */
    public Optional<Decision> exceedingLimit(long permits) {
        for (RateLimit limit : limits) {
            if (limit.cost(permits) > limit.limit()) {
                return Optional.of(Decision.exceedingLimit(limit.name()));
            }
        }
        return Optional.empty();
    }

    /** This policy with another failure policy. */
    public RateLimitPolicy withFailurePolicy(FailurePolicy policy) {
        return new RateLimitPolicy(limits, policy);
    }
}
