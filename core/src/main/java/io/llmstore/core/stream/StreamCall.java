package io.llmstore.core.stream;

import io.llmstore.core.ratelimit.Reservation;
import java.util.Objects;

/**
 * What a streamed call is: who it goes to, in which wire format, what it sends (for the input estimate of an aborted
 * stream), the row's dimensions, and optionally a rate-limit reservation to settle and a cache key. Immutable; build
 * it with {@link #builder(String, String, StreamFormat)}.
 *
 * @param provider     provider, e.g. {@code openai}; stored as the row's provider and used for pricing
 * @param model        the requested model; stored as the row's model and priced
 * @param format       the stream's wire format
 * @param inputTokens  the input estimate used when the stream reports none: given, or counted from the prompt;
 *                     -1 = count the prompt
 * @param prompt       the request's text for the input estimate; may be null
 * @param userId       optional end user
 * @param applicationId optional application
 * @param environment  optional environment
 * @param metadata     optional JSON object as text, stored with the row
 * @param reservation  optional reservation settled with the row's total tokens when the stream ends
 * @param cacheKey     optional key (typically the request body) under which a completed stream is cached and looked
 *                     up, with the model, when the recorder has a cache
 */
public record StreamCall(String provider, String model, StreamFormat format, long inputTokens, String prompt,
                         String userId, String applicationId, String environment, String metadata,
                         Reservation reservation, String cacheKey) {
    public StreamCall {
        if (provider == null || provider.isBlank()) {
            throw new IllegalArgumentException("provider must not be blank, was " + (provider == null ? "null" : "'" + provider + "'"));
        }
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("model must not be blank, was " + (model == null ? "null" : "'" + model + "'"));
        }
        Objects.requireNonNull(format, "format");
        if (inputTokens < -1) {
            throw new IllegalArgumentException("inputTokens must be >= 0 (or -1 = count the prompt), was " + inputTokens);
        }
    }

    /** A builder for a call to {@code model} at {@code provider} streaming in {@code format}. */
    public static Builder builder(String provider, String model, StreamFormat format) {
        return new Builder(provider, model, format);
    }

    /** Builds a {@link StreamCall}. Not thread-safe. */
    public static final class Builder {
        private final String provider;
        private final String model;
        private final StreamFormat format;
        private long inputTokens = -1;
        private String prompt;
        private String userId;
        private String applicationId;
        private String environment;
        private String metadata;
        private Reservation reservation;
        private String cacheKey;

        private Builder(String provider, String model, StreamFormat format) {
            this.provider = provider;
            this.model = model;
            this.format = format;
        }

        /** The request's text; its token count (the recorder's {@link TokenCounter}) is the input estimate. */
        public Builder prompt(String text) {
            this.prompt = text;
            return this;
        }

        /** The input estimate in tokens (e.g. your own tokenizer's count); wins over {@link #prompt}. */
        public Builder inputTokens(long tokens) {
            if (tokens < 0) {
                throw new IllegalArgumentException("inputTokens must be >= 0, was " + tokens);
            }
            this.inputTokens = tokens;
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

        /** A JSON object as text, stored with the row. */
        public Builder metadata(String json) {
            this.metadata = json;
            return this;
        }

        /** A reservation taken before the call; settled with the row's total tokens when the stream ends. */
        public Builder reservation(Reservation reservation) {
            this.reservation = reservation;
            return this;
        }

        /** The key a completed stream is cached under (with the model); typically the request body. */
        public Builder cacheKey(String key) {
            this.cacheKey = key;
            return this;
        }

        public StreamCall build() {
            return new StreamCall(provider, model, format, inputTokens, prompt, userId, applicationId, environment,
                    metadata, reservation, cacheKey);
        }
    }
}
