package io.llmstore.core.usage;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Which usage rows a query looks at: a time window {@code [start, end)} and optional equality filters. Immutable;
 * each {@code withX} method returns a copy. Null optional fields mean "any".
 *
 * <pre>{@code
 * UsageFilter f = UsageFilter.last(Duration.ofHours(24), clock).withProvider("openai").withMinTokens(100);
 * }</pre>
 *
 * @param start       inclusive start, required
 * @param end         exclusive end, required, after {@code start}
 * @param provider    only this provider, or null
 * @param modelId     only this model, or null
 * @param userId      only this user, or null
 * @param applicationId only this application, or null
 * @param environment only this environment, or null
 * @param minTokens   only rows with {@code token_total >= minTokens}, or null
 */
public record UsageFilter(Instant start, Instant end, String provider, String modelId, String userId,
                          String applicationId, String environment, Long minTokens) {
    public UsageFilter {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        if (!end.isAfter(start)) {
            throw new IllegalArgumentException("end must be after start, was start=" + start + " end=" + end);
        }
        if (minTokens != null && minTokens < 0) {
            throw new IllegalArgumentException("minTokens must be >= 0, was " + minTokens);
        }
    }

    /** Every row in {@code [start, end)}. */
    public static UsageFilter between(Instant start, Instant end) {
        return new UsageFilter(start, end, null, null, null, null, null, null);
    }

    /** Every row in the last {@code window} up to {@code clock.instant()} (exclusive end one microsecond later). */
    public static UsageFilter last(Duration window, Clock clock) {
        Instant now = clock.instant();
        return between(now.minus(window), now.plusNanos(1000));
    }

    public UsageFilter withProvider(String value) {
        return new UsageFilter(start, end, value, modelId, userId, applicationId, environment, minTokens);
    }

    public UsageFilter withModel(String value) {
        return new UsageFilter(start, end, provider, value, userId, applicationId, environment, minTokens);
    }

    public UsageFilter withUser(String value) {
        return new UsageFilter(start, end, provider, modelId, value, applicationId, environment, minTokens);
    }

    public UsageFilter withApplication(String value) {
        return new UsageFilter(start, end, provider, modelId, userId, value, environment, minTokens);
    }

    public UsageFilter withEnvironment(String value) {
        return new UsageFilter(start, end, provider, modelId, userId, applicationId, value, minTokens);
    }

    public UsageFilter withMinTokens(long value) {
        return new UsageFilter(start, end, provider, modelId, userId, applicationId, environment, value);
    }

    /** True when {@code m} passes this filter; the same rule the SQL applies, for callers that check in memory. */
    public boolean matches(UsageMetric m) {
        return !m.time().isBefore(start) && m.time().isBefore(end)
                && (provider == null || provider.equals(m.provider()))
                && (modelId == null || modelId.equals(m.modelId()))
                && (userId == null || userId.equals(m.userId()))
                && (applicationId == null || applicationId.equals(m.applicationId()))
                && (environment == null || environment.equals(m.environment()))
                && (minTokens == null || m.tokenTotal() >= minTokens);
    }

    /** True when only the time window, provider and model are set (what the hourly/daily rollups can answer). */
    public boolean isRollupCompatible() {
        return userId == null && applicationId == null && environment == null && minTokens == null;
    }
}
