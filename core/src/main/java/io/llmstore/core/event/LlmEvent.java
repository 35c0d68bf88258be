package io.llmstore.core.event;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * One LLM call as an event on the stream: who called which model, when, with how many tokens, how long it took
 * and what it cost. Immutable; validated on construction, every message naming the field, the rule and the value.
 * Build it with {@link #builder()}; {@link LlmEventJson} is its wire form (snake_case JSON, documented there).
 *
 * @param eventId    unique id; consumers and the usage sink use it to store each event once
 * @param timestamp  when the call was made, truncated to microseconds (what PostgreSQL stores)
 * @param eventType  what happened, e.g. {@code completion}, {@code embedding}, {@code error}; not blank, at most
 *                   64 characters ({@link #TYPE_ERROR} counts as a failed call in usage)
 * @param modelId    model, e.g. {@code gpt-4o}; not blank, at most 255 characters
 * @param provider   provider, e.g. {@code openai}; not blank, at most 255 characters
 * @param userId     end user, or null; at most 255 characters; the default partition key
 * @param tokenInput prompt tokens, >= 0
 * @param tokenOutput completion tokens, >= 0
 * @param latency    time the call took, >= 0
 * @param costUsd    cost in USD, >= 0, or null when not known
 * @param attributes free-form string attributes (e.g. {@code application_id}, {@code environment}, a route);
 *                   never null (empty when none), keys not blank, values not null; at most 64 entries
 * @param tokenCacheRead  prompt tokens read from cache (part of tokenInput), >= 0, or null when not reported
 * @param tokenCacheWrite prompt tokens written to cache (part of tokenInput), >= 0, or null when not reported
 * @param tokenReasoning  reasoning tokens (part of tokenOutput), >= 0, or null when not reported
 * @param priceSource what priced {@code costUsd} (e.g. {@code @pydantic/genai-prices@0.1.8}), or null (the usage
 *                    row then says {@code caller} when there is a cost); at most 255 characters
 */
public record LlmEvent(UUID eventId, Instant timestamp, String eventType, String modelId, String provider,
                       String userId, long tokenInput, long tokenOutput, Duration latency, BigDecimal costUsd,
                       Map<String, String> attributes, Long tokenCacheRead, Long tokenCacheWrite,
                       Long tokenReasoning, String priceSource) {
    /** The event type of a failed call. */
    public static final String TYPE_ERROR = "error";
    /** The default event type: a completed call. */
    public static final String TYPE_COMPLETION = "completion";
    /** Longest event type. */
    public static final int MAX_TYPE_LENGTH = 64;
    /** Longest model, provider or user text. */
    public static final int MAX_TEXT_LENGTH = 255;
    /** Most attributes on one event. */
    public static final int MAX_ATTRIBUTES = 64;

    public LlmEvent {
        requireNonNull(eventId, "eventId");
        requireNonNull(timestamp, "timestamp");
        // Truncated to what PostgreSQL keeps, so the event, its usage row and the row read back carry the same instant.
        timestamp = timestamp.truncatedTo(ChronoUnit.MICROS);
        eventType = requireText(eventType, "eventType", MAX_TYPE_LENGTH);
        modelId = requireText(modelId, "modelId", MAX_TEXT_LENGTH);
        provider = requireText(provider, "provider", MAX_TEXT_LENGTH);
        if (userId != null) {
            userId = requireText(userId, "userId", MAX_TEXT_LENGTH);
        }
        requireNonNegative(tokenInput, "tokenInput");
        requireNonNegative(tokenOutput, "tokenOutput");
        requireNonNull(latency, "latency");
        if (latency.isNegative()) {
            throw new IllegalArgumentException("latency must be >= 0, was " + latency);
        }
        if (costUsd != null && costUsd.signum() < 0) {
            throw new IllegalArgumentException("costUsd must be >= 0, was " + costUsd.toPlainString());
        }
        requireNonNull(attributes, "attributes");
        if (attributes.size() > MAX_ATTRIBUTES) {
            throw new IllegalArgumentException("attributes must have at most " + MAX_ATTRIBUTES + " entries, had "
                    + attributes.size());
        }
        Map<String, String> copy = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : attributes.entrySet()) {
            if (e.getKey() == null || e.getKey().isBlank()) {
                throw new IllegalArgumentException("attributes keys must not be blank, was "
                        + (e.getKey() == null ? "null" : "'" + e.getKey() + "'"));
            }
            if (e.getValue() == null) {
                throw new IllegalArgumentException("attributes['" + e.getKey() + "'] must not be null");
            }
            copy.put(e.getKey(), e.getValue());
        }
        // Map.copyOf loses the order; an unmodifiable LinkedHashMap keeps the caller's order on the wire.
        attributes = java.util.Collections.unmodifiableMap(copy);
        requireNonNegativeOrNull(tokenCacheRead, "tokenCacheRead");
        requireNonNegativeOrNull(tokenCacheWrite, "tokenCacheWrite");
        requireNonNegativeOrNull(tokenReasoning, "tokenReasoning");
        if (priceSource != null) {
            priceSource = requireText(priceSource, "priceSource", MAX_TEXT_LENGTH);
        }
    }

    /** The event without the token classes and price source (schema version 1's fields). */
    public LlmEvent(UUID eventId, Instant timestamp, String eventType, String modelId, String provider,
                    String userId, long tokenInput, long tokenOutput, Duration latency, BigDecimal costUsd,
                    Map<String, String> attributes) {
        this(eventId, timestamp, eventType, modelId, provider, userId, tokenInput, tokenOutput, latency, costUsd,
                attributes, null, null, null, null);
    }

    private static void requireNonNegativeOrNull(Long value, String field) {
        if (value != null && value < 0) {
            throw new IllegalArgumentException(field + " must be >= 0 or null, was " + value);
        }
    }

    /** A builder; defaults: random event id, type {@code completion}, no user, zero tokens and latency, no cost. */
    public static Builder builder() {
        return new Builder();
    }

    /** Total tokens, input + output. */
    public long tokenTotal() {
        return tokenInput + tokenOutput;
    }

    /** True when {@link #eventType()} is {@link #TYPE_ERROR}. */
    public boolean isError() {
        return TYPE_ERROR.equals(eventType);
    }

    private static void requireNonNull(Object value, String field) {
        if (value == null) {
            throw new IllegalArgumentException(field + " must not be null");
        }
    }

    private static String requireText(String value, String field, int max) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " must not be blank, was "
                    + (value == null ? "null" : "'" + value + "'"));
        }
        if (value.length() > max) {
            throw new IllegalArgumentException(field + " must be at most " + max + " characters, was " + value.length());
        }
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(field + " must not contain NUL characters");
        }
        return value;
    }

    private static void requireNonNegative(long value, String field) {
        if (value < 0) {
            throw new IllegalArgumentException(field + " must be >= 0, was " + value);
        }
    }

    /** Builds an {@link LlmEvent}; not thread-safe. {@link #timestamp}, model and provider are required. */
    public static final class Builder {
        private UUID eventId;
        private Instant timestamp;
        private String eventType = TYPE_COMPLETION;
        private String modelId;
        private String provider;
        private String userId;
        private long tokenInput;
        private long tokenOutput;
        private Duration latency = Duration.ZERO;
        private BigDecimal costUsd;
        private final Map<String, String> attributes = new LinkedHashMap<>();
        private Long tokenCacheRead;
        private Long tokenCacheWrite;
        private Long tokenReasoning;
        private String priceSource;

        private Builder() {
        }

        public Builder eventId(UUID eventId) {
            this.eventId = eventId;
            return this;
        }

        public Builder timestamp(Instant timestamp) {
            this.timestamp = timestamp;
            return this;
        }

        public Builder type(String eventType) {
            this.eventType = eventType;
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

        public Builder user(String userId) {
            this.userId = userId;
            return this;
        }

        public Builder tokens(long input, long output) {
            this.tokenInput = input;
            this.tokenOutput = output;
            return this;
        }

        /** Cache reads and writes (part of the input tokens); null = not reported. */
        public Builder cacheTokens(Long read, Long write) {
            this.tokenCacheRead = read;
            this.tokenCacheWrite = write;
            return this;
        }

        /** Reasoning tokens (part of the output tokens); null = not reported. */
        public Builder reasoningTokens(Long reasoning) {
            this.tokenReasoning = reasoning;
            return this;
        }

        /** What priced the cost, e.g. {@code Cost.pricedBy().source()}. */
        public Builder priceSource(String source) {
            this.priceSource = source;
            return this;
        }

        public Builder latency(Duration latency) {
            this.latency = latency;
            return this;
        }

        public Builder costUsd(BigDecimal costUsd) {
            this.costUsd = costUsd;
            return this;
        }

        /** Adds one attribute (a later value for the same key wins). */
        public Builder attribute(String key, String value) {
            this.attributes.put(key, value);
            return this;
        }

        /** Adds every attribute of {@code values}. */
        public Builder attributes(Map<String, String> values) {
            this.attributes.putAll(Objects.requireNonNull(values, "values"));
            return this;
        }

        public LlmEvent build() {
            return new LlmEvent(eventId != null ? eventId : UUID.randomUUID(), timestamp, eventType, modelId, provider,
                    userId, tokenInput, tokenOutput, latency, costUsd, attributes, tokenCacheRead, tokenCacheWrite,
                    tokenReasoning, priceSource);
        }
    }
}
