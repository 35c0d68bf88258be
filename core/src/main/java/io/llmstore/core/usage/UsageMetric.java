package io.llmstore.core.usage;

import io.llmstore.core.price.TokenUsage;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.UUID;

/**
 * One row of LLM usage: a call (or an aggregate of calls) to one model, with tokens, cost and latency.
 * Maps one-to-one to {@code llm_usage_metrics}. Validated on construction; every message names the field, the
 * rule and the value. Build it with {@link #builder()}.
 *
 * @param eventId       unique id; replaying the same id stores nothing twice
 * @param time          when the call was made, truncated to microseconds (what a {@code timestamptz} column holds),
 *                      so a stored row reads back equal to this metric
 * @param modelId       model, e.g. {@code gpt-4o}; not blank, at most 255 characters
 * @param provider      provider, e.g. {@code openai}; not blank, at most 255 characters
 * @param requestCount  calls in this row, >= 0
 * @param tokenInput    prompt tokens, >= 0; all input, including cache reads and cache writes
 * @param tokenOutput   completion tokens, >= 0; all output, including reasoning tokens
 * @param tokenTotal    total tokens, >= 0 (defaults to input + output)
 * @param costUsd       cost in USD, 0..{@value #MAX_COST_USD_TEXT} with at most {@value #COST_SCALE} decimal places
 *                      ({@code NUMERIC(28,18)}); null = not known (the writer may price it)
 * @param avgLatencyMs  mean latency in milliseconds, finite and >= 0
 * @param errorCount    failed calls, >= 0
 * @param successCount  successful calls, >= 0
 * @param userId        optional end user
 * @param applicationId optional application
 * @param environment   optional environment (prod, staging)
 * @param metadata      optional JSON object as text; checked by the writer against its size cap
 * @param tokenCacheRead  input tokens read from the prompt cache (part of tokenInput), >= 0; null = not reported
 * @param tokenCacheWrite input tokens written to the prompt cache (part of tokenInput), >= 0; null = not reported
 * @param tokenReasoning  reasoning tokens (part of tokenOutput), >= 0; null = not reported
 * @param priceSource   what priced {@code costUsd}: the catalog's {@code <dataset>@<version>}, with
 *                      {@code +override:<id>} when an override applied, or {@code caller} (the default when the
 *                      application supplies a cost); null exactly when {@code costUsd} is null; at most 255 characters
 * @param usageSource   where the token counts come from: {@link UsageSource#REPORTED} by the provider,
 *                      {@link UsageSource#ESTIMATED} (an aborted or usage-less stream, see {@code docs/streaming.md}),
 *                      or {@link UsageSource#CACHE_HIT} (answered from the response cache, no provider call); null = not
 *                      said (rows recorded without it, and every row stored before schema V5)
 * @param timeToFirstTokenMs milliseconds from the start of a streamed call to its first output chunk, finite and
 *                      >= 0; null = not streamed or no output arrived
 * @param finishReason  why the call ended: the provider's finish reason verbatim ({@code stop}, {@code end_turn},
 *                      {@code length}, {@code STOP}, ...) or, for an aborted stream, how it ended ({@code cancelled},
 *                      {@code timeout}, {@code error}, {@code closed_early}, {@code shutdown}, {@code incomplete});
 *                      null = not said; at most 255 characters
 * @param costSavedUsd  what a {@link UsageSource#CACHE_HIT cache hit} saved: the cost the answered call would have
 *                      had, same rules as {@code costUsd}; null = nothing saved or not known
 */
public record UsageMetric(UUID eventId, Instant time, String modelId, String provider, long requestCount,
                          long tokenInput, long tokenOutput, long tokenTotal, BigDecimal costUsd, double avgLatencyMs,
                          long errorCount, long successCount, String userId, String applicationId, String environment,
                          String metadata, Long tokenCacheRead, Long tokenCacheWrite, Long tokenReasoning,
                          String priceSource, UsageSource usageSource, Double timeToFirstTokenMs,
                          String finishReason, BigDecimal costSavedUsd) {
    /** Decimal places the {@code cost_usd NUMERIC(28,18)} column stores exactly. */
    public static final int COST_SCALE = 18;
    static final String MAX_COST_USD_TEXT = "9999999999.999999999999999999";
    /** Largest cost the {@code NUMERIC(28,18)} column holds. */
    public static final BigDecimal MAX_COST_USD = new BigDecimal(MAX_COST_USD_TEXT);
    /** {@link #priceSource()} of a cost the application supplied. */
    public static final String PRICE_SOURCE_CALLER = "caller";
    /** Longest model, provider, user, application or environment text. */
    public static final int MAX_TEXT_LENGTH = 255;

    public UsageMetric {
        requireNonNull(eventId, "eventId");
        requireNonNull(time, "time");
        // PostgreSQL keeps microseconds and rounds the rest: truncate here so a stored row reads back equal to this.
        time = time.truncatedTo(ChronoUnit.MICROS);
        modelId = requireText(modelId, "modelId");
        provider = requireText(provider, "provider");
        requireNonNegative(requestCount, "requestCount");
        requireNonNegative(tokenInput, "tokenInput");
        requireNonNegative(tokenOutput, "tokenOutput");
        requireNonNegative(tokenTotal, "tokenTotal");
        requireNonNegative(errorCount, "errorCount");
        requireNonNegative(successCount, "successCount");
        requireStorableCost(costUsd, "costUsd");
        requireStorableCost(costSavedUsd, "costSavedUsd");
        if (costUsd != null) {
            if (priceSource == null) {
                priceSource = PRICE_SOURCE_CALLER;
            }
        } else if (priceSource != null) {
            throw new IllegalArgumentException("priceSource must be null when costUsd is null, was '" + priceSource + "'");
        }
        priceSource = optionalText(priceSource, "priceSource");
        requireNonNegative(tokenCacheRead, "tokenCacheRead");
        requireNonNegative(tokenCacheWrite, "tokenCacheWrite");
        requireNonNegative(tokenReasoning, "tokenReasoning");
        long cached = (tokenCacheRead == null ? 0 : tokenCacheRead) + (tokenCacheWrite == null ? 0 : tokenCacheWrite);
        if (cached > tokenInput) {
            throw new IllegalArgumentException("tokenCacheRead + tokenCacheWrite must be <= tokenInput (input includes"
                    + " cached tokens), was " + cached + " > " + tokenInput);
        }
        if (tokenReasoning != null && tokenReasoning > tokenOutput) {
            throw new IllegalArgumentException("tokenReasoning must be <= tokenOutput (output includes reasoning),"
                    + " was " + tokenReasoning + " > " + tokenOutput);
        }
        if (!Double.isFinite(avgLatencyMs) || avgLatencyMs < 0) {
            throw new IllegalArgumentException("avgLatencyMs must be a finite number >= 0, was " + avgLatencyMs);
        }
        if (timeToFirstTokenMs != null && (!Double.isFinite(timeToFirstTokenMs) || timeToFirstTokenMs < 0)) {
            throw new IllegalArgumentException("timeToFirstTokenMs must be a finite number >= 0 or null, was "
                    + timeToFirstTokenMs);
        }
        finishReason = optionalText(finishReason, "finishReason");
        userId = optionalText(userId, "userId");
        applicationId = optionalText(applicationId, "applicationId");
        environment = optionalText(environment, "environment");
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder pre-filled with this metric's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.eventId = eventId;
        b.time = time;
        b.modelId = modelId;
        b.provider = provider;
        b.requestCount = requestCount;
        b.tokenInput = tokenInput;
        b.tokenOutput = tokenOutput;
        b.tokenTotal = tokenTotal;
        b.costUsd = costUsd;
        b.avgLatencyMs = avgLatencyMs;
        b.errorCount = errorCount;
        b.successCount = successCount;
        b.userId = userId;
        b.applicationId = applicationId;
        b.environment = environment;
        b.metadata = metadata;
        b.tokenCacheRead = tokenCacheRead;
        b.tokenCacheWrite = tokenCacheWrite;
        b.tokenReasoning = tokenReasoning;
        b.priceSource = priceSource;
        b.usageSource = usageSource;
        b.timeToFirstTokenMs = timeToFirstTokenMs;
        b.finishReason = finishReason;
        b.costSavedUsd = costSavedUsd;
        return b;
    }

    /** This metric with the given cost, priced by the caller ({@link #PRICE_SOURCE_CALLER}). */
    public UsageMetric withCostUsd(BigDecimal cost) {
        return toBuilder().costUsd(cost).priceSource(null).build();
    }

    /** This metric with the given cost and what priced it (the writer uses it to fill a missing cost). */
    public UsageMetric withCost(BigDecimal cost, String priceSource) {
        return toBuilder().costUsd(cost).priceSource(priceSource).build();
    }

    /**
     * The usage in the price catalog's terms: input (cache reads and writes included), cache reads, cache writes,
     * output (reasoning included), reasoning; unreported classes count as 0.
     */
    public TokenUsage tokenUsage() {
        return TokenUsage.builder().inputTokens(tokenInput).outputTokens(tokenOutput)
                .cacheReadTokens(tokenCacheRead == null ? 0 : tokenCacheRead)
                .cacheWriteTokens(tokenCacheWrite == null ? 0 : tokenCacheWrite)
                .outputReasoningTokens(tokenReasoning == null ? 0 : tokenReasoning).build();
    }

    // The NUMERIC(28,18) column would round or refuse it: refuse here instead, so a stored cost is the cost given.
    private static void requireStorableCost(BigDecimal cost, String field) {
        if (cost == null) {
            return;
        }
        if (cost.signum() < 0) {
            throw new IllegalArgumentException(field + " must be >= 0, was " + cost.toPlainString());
        }
        if (cost.compareTo(MAX_COST_USD) > 0) {
            throw new IllegalArgumentException(field + " must be <= " + MAX_COST_USD_TEXT
                    + " (NUMERIC(28,18)), was " + cost.toPlainString());
        }
        if (cost.scale() > COST_SCALE && cost.stripTrailingZeros().scale() > COST_SCALE) {
            throw new IllegalArgumentException(field + " must have at most " + COST_SCALE
                    + " decimal places (NUMERIC(28,18)), was " + cost.toPlainString());
        }
    }

    private static void requireNonNull(Object value, String field) {
        if (value == null) {
            throw new IllegalArgumentException(field + " must not be null");
        }
    }

    private static String requireText(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " must not be blank, was " + (value == null ? "null" : "'" + value + "'"));
        }
        return optionalText(value, field);
    }

    private static String optionalText(String value, String field) {
        if (value != null && value.length() > MAX_TEXT_LENGTH) {
            throw new IllegalArgumentException(field + " must be at most " + MAX_TEXT_LENGTH + " characters, was "
                    + value.length());
        }
        if (value != null && value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(field + " must not contain NUL characters (PostgreSQL text cannot store them)");
        }
        int unpaired = value == null ? -1 : unpairedSurrogate(value);
        if (unpaired >= 0) {
            // The driver would encode it to UTF-8 as '?', storing a different string than the caller gave.
            throw new IllegalArgumentException(field + " must not contain an unpaired UTF-16 surrogate, found "
                    + String.format("\\u%04X", (int) value.charAt(unpaired)) + " at index " + unpaired);
        }
        return value;
    }

    /** Index of the first unpaired UTF-16 surrogate in {@code s}, or -1 (no text column can hold one). */
    static int unpairedSurrogate(String s) {
        return io.llmstore.core.cache.PromptKeys.unpairedSurrogate(s);
    }

    private static void requireNonNegative(long value, String field) {
        if (value < 0) {
            throw new IllegalArgumentException(field + " must be >= 0, was " + value);
        }
    }

    private static void requireNonNegative(Long value, String field) {
        if (value != null && value < 0) {
            throw new IllegalArgumentException(field + " must be >= 0 or null, was " + value);
        }
    }

    /**
     * Builds a {@link UsageMetric}. Defaults: a random event id, one request, success unless errors are set,
     * total tokens = input + output, latency 0, no cost.
     */
    public static final class Builder {
        private UUID eventId;
        private Instant time;
        private String modelId;
        private String provider;
        private long requestCount = 1;
        private long tokenInput;
        private long tokenOutput;
        private Long tokenTotal;
        private BigDecimal costUsd;
        private double avgLatencyMs;
        private long errorCount;
        private Long successCount;
        private String userId;
        private String applicationId;
        private String environment;
        private String metadata;
        private Long tokenCacheRead;
        private Long tokenCacheWrite;
        private Long tokenReasoning;
        private String priceSource;
        private UsageSource usageSource;
        private Double timeToFirstTokenMs;
        private String finishReason;
        private BigDecimal costSavedUsd;

        private Builder() {
        }

        /** Where the token counts come from; null = not said. */
        public Builder usageSource(UsageSource source) {
            this.usageSource = source;
            return this;
        }

        /** Milliseconds to the first output chunk of a streamed call; null = not streamed. */
        public Builder timeToFirstTokenMs(Double millis) {
            this.timeToFirstTokenMs = millis;
            return this;
        }

        /** The provider's finish reason, or how an aborted stream ended; null = not said. */
        public Builder finishReason(String reason) {
            this.finishReason = reason;
            return this;
        }

        /** What a cache hit saved, in USD; null = nothing saved or not known. */
        public Builder costSavedUsd(BigDecimal saved) {
            this.costSavedUsd = saved;
            return this;
        }

        public Builder eventId(UUID id) {
            this.eventId = id;
            return this;
        }

        public Builder time(Instant time) {
            this.time = time;
            return this;
        }

        public Builder model(String modelId) {
            this.modelId = modelId;
            return this;
        }

        public Builder provider(String provider) {
            this.provider = provider;
            return this;
        }

        public Builder requests(long count) {
            this.requestCount = count;
            return this;
        }

        /** Input and output tokens; the total defaults to their sum. */
        public Builder tokens(long input, long output) {
            this.tokenInput = input;
            this.tokenOutput = output;
            return this;
        }

        /**
         * Cache reads and cache writes, both part of the input tokens; null = not reported. Prices cache tokens at
         * their own price when the writer fills a missing cost.
         */
        public Builder cacheTokens(Long read, Long write) {
            this.tokenCacheRead = read;
            this.tokenCacheWrite = write;
            return this;
        }

        /** Reasoning tokens, part of the output tokens; null = not reported. */
        public Builder reasoningTokens(Long reasoning) {
            this.tokenReasoning = reasoning;
            return this;
        }

        /**
         * Input, output, cache read, cache write and reasoning tokens from the price catalog's usage (as
         * {@code PriceCatalog.extractUsage} returns it); the total defaults to input + output.
         */
        public Builder tokens(TokenUsage usage) {
            this.tokenInput = usage.inputTokens();
            this.tokenOutput = usage.outputTokens();
            this.tokenCacheRead = usage.cacheReadTokens();
            this.tokenCacheWrite = usage.cacheWriteTokens();
            this.tokenReasoning = usage.outputReasoningTokens();
            return this;
        }

        /** What priced the cost; defaults to {@code caller} when a cost is set. */
        public Builder priceSource(String source) {
            this.priceSource = source;
            return this;
        }

        public Builder tokenTotal(long total) {
            this.tokenTotal = total;
            return this;
        }

        public Builder costUsd(BigDecimal cost) {
            this.costUsd = cost;
            return this;
        }

        public Builder latencyMs(double millis) {
            this.avgLatencyMs = millis;
            return this;
        }

        public Builder errors(long count) {
            this.errorCount = count;
            return this;
        }

        public Builder successes(long count) {
            this.successCount = count;
            return this;
        }

        public Builder user(String userId) {
            this.userId = userId;
            return this;
        }

        public Builder application(String applicationId) {
            this.applicationId = applicationId;
            return this;
        }

        public Builder environment(String environment) {
            this.environment = environment;
            return this;
        }

        /** A JSON object as text, e.g. {@code {"route":"chat"}}. */
        public Builder metadata(String json) {
            this.metadata = json;
            return this;
        }

        public UsageMetric build() {
            long total = tokenTotal != null ? tokenTotal : tokenInput + tokenOutput;
            long successes = successCount != null ? successCount : Math.max(0, requestCount - errorCount);
            return new UsageMetric(eventId != null ? eventId : UUID.randomUUID(), time, modelId, provider, requestCount,
                    tokenInput, tokenOutput, total, costUsd, avgLatencyMs, errorCount, successes, userId, applicationId,
                    environment, metadata, tokenCacheRead, tokenCacheWrite, tokenReasoning, priceSource, usageSource,
                    timeToFirstTokenMs, finishReason, costSavedUsd);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UsageMetric m && m.eventId.equals(eventId) && Objects.equals(m.time, time)
                && m.modelId.equals(modelId) && m.provider.equals(provider) && m.requestCount == requestCount
                && m.tokenInput == tokenInput && m.tokenOutput == tokenOutput && m.tokenTotal == tokenTotal
                && (m.costUsd == null ? costUsd == null : costUsd != null && m.costUsd.compareTo(costUsd) == 0)
                && Double.compare(m.avgLatencyMs, avgLatencyMs) == 0 && m.errorCount == errorCount
                && m.successCount == successCount && Objects.equals(m.userId, userId)
                && Objects.equals(m.applicationId, applicationId) && Objects.equals(m.environment, environment)
                && Objects.equals(m.metadata, metadata) && Objects.equals(m.tokenCacheRead, tokenCacheRead)
                && Objects.equals(m.tokenCacheWrite, tokenCacheWrite) && Objects.equals(m.tokenReasoning, tokenReasoning)
                && Objects.equals(m.priceSource, priceSource) && m.usageSource == usageSource
                && Objects.equals(m.timeToFirstTokenMs, timeToFirstTokenMs) && Objects.equals(m.finishReason, finishReason)
                && (m.costSavedUsd == null ? costSavedUsd == null
                        : costSavedUsd != null && m.costSavedUsd.compareTo(costSavedUsd) == 0);
    }

    @Override
    public int hashCode() {
        return eventId.hashCode();
    }
}
