package io.llmstore.core.operation;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * A row of {@code llm_operations}: one LLM call of a session, with the guide's columns. Built with
 * {@link #builder(UUID)}; returned by {@link Operations#fetch}.
 *
 * @param operationId  the operation's id, the primary key: recording the same id again stores nothing
 * @param sessionId    the session it belongs to ({@code llm_sessions}), which must exist when it is recorded
 * @param actionId     the application's action that made the call, may be null
 * @param timestamp    when the call was made, kept to the microsecond (as {@code timestamptz} keeps it)
 * @param operationType what kind of call ({@code chat}, {@code completion}, {@code embedding}, ...), not blank
 * @param provider     e.g. {@code openai}, not blank
 * @param model        e.g. {@code gpt-4o}, not blank
 * @param inputTokens  {@code >= 0}
 * @param outputTokens {@code >= 0}
 * @param latencyMs    the call's latency in milliseconds (the guide's {@code latency_ms}), {@code >= 0}, may be null
 * @param cost         in USD, {@code >= 0}, at most 18 decimal places (kept at scale 18); null = priced from the price catalog when
 *                     recorded (and stays null for a model the catalog does not price)
 * @param status       {@value #SUCCESS}, {@value #ERROR} or the application's own word, not blank; the error
 *                     analysis counts {@value #ERROR}
 * @param errorMessage what went wrong, may be null
 * @param extras       free-form JSON object, never null; empty by default
 */
public record Operation(UUID operationId, UUID sessionId, String actionId, Instant timestamp, String operationType,
                        String provider, String model, long inputTokens, long outputTokens, Long latencyMs,
                        BigDecimal cost, String status, String errorMessage, Map<String, Object> extras) {
    /** The status of a call that succeeded. */
    public static final String SUCCESS = "success";
    /** The status of a call that failed: what {@link Operations#errorAnalysis} counts. */
    public static final String ERROR = "error";
    /** Decimal places {@code llm_operations.cost} keeps (NUMERIC(28,18)). */
    public static final int COST_SCALE = 18;

    public Operation {
        Objects.requireNonNull(operationId, "operationId");
        Objects.requireNonNull(sessionId, "sessionId");
        Texts.requireStorable("actionId", actionId);
        Objects.requireNonNull(timestamp, "timestamp");
        Texts.requireNotBlank("operationType", operationType);
        Texts.requireNotBlank("provider", provider);
        Texts.requireNotBlank("model", model);
        if (inputTokens < 0) {
            throw new IllegalArgumentException("inputTokens must be >= 0, was " + inputTokens);
        }
        if (outputTokens < 0) {
            throw new IllegalArgumentException("outputTokens must be >= 0, was " + outputTokens);
        }
        if (latencyMs != null && latencyMs < 0) {
            throw new IllegalArgumentException("latencyMs must be >= 0, was " + latencyMs);
        }
        if (cost != null && cost.signum() < 0) {
            throw new IllegalArgumentException("cost must be >= 0, was " + cost.toPlainString());
        }
        if (cost != null && cost.stripTrailingZeros().scale() > COST_SCALE) {
            throw new IllegalArgumentException("cost must have at most " + COST_SCALE + " decimal places, was "
                    + cost.toPlainString());
        }
        if (cost != null && cost.precision() - cost.scale() > 28 - COST_SCALE) {
            throw new IllegalArgumentException("cost must be < 10^" + (28 - COST_SCALE) + " USD, was " + cost.toPlainString());
        }
        // Stored as PostgreSQL keeps them, so a fetched operation equals the one recorded.
        timestamp = timestamp.truncatedTo(ChronoUnit.MICROS);
        cost = cost == null ? null : cost.setScale(COST_SCALE);
        Texts.requireNotBlank("status", status);
        Texts.requireStorable("errorMessage", errorMessage);
        extras = Texts.jsonObject("extras", extras);
    }

    /** The total of input and output tokens. */
    public long totalTokens() {
        return inputTokens + outputTokens;
    }

    /** This operation with {@code cost}; the rest unchanged. */
    public Operation withCost(BigDecimal cost) {
        return new Operation(operationId, sessionId, actionId, timestamp, operationType, provider, model, inputTokens,
                outputTokens, latencyMs, cost, status, errorMessage, extras);
    }

    /** A builder for an operation of {@code sessionId}, with a random id and status {@value #SUCCESS}. */
    public static Builder builder(UUID sessionId) {
        return new Builder(sessionId);
    }

    /** Builds an {@link Operation}; every value is checked in {@link #build()}. Not thread-safe. */
    public static final class Builder {
        private UUID operationId = UUID.randomUUID();
        private final UUID sessionId;
        private String actionId;
        private Instant timestamp;
        private String operationType = "chat";
        private String provider;
        private String model;
        private long inputTokens;
        private long outputTokens;
        private Long latencyMs;
        private BigDecimal cost;
        private String status = SUCCESS;
        private String errorMessage;
        private Map<String, Object> extras = Map.of();

        private Builder(UUID sessionId) {
            this.sessionId = sessionId;
        }

        /** The id; random by default. Give your own to make retries of the same call idempotent. */
        public Builder operationId(UUID operationId) {
            this.operationId = operationId;
            return this;
        }

        public Builder actionId(String actionId) {
            this.actionId = actionId;
            return this;
        }

        /** When the call was made; required. */
        public Builder timestamp(Instant timestamp) {
            this.timestamp = timestamp;
            return this;
        }

        /** {@code chat} by default. */
        public Builder operationType(String operationType) {
            this.operationType = operationType;
            return this;
        }

        public Builder provider(String provider) {
            this.provider = provider;
            return this;
        }

        public Builder model(String model) {
            this.model = model;
            return this;
        }

        public Builder tokens(long input, long output) {
            this.inputTokens = input;
            this.outputTokens = output;
            return this;
        }

        public Builder latencyMs(long latencyMs) {
            this.latencyMs = latencyMs;
            return this;
        }

        /** In USD; unset = priced from the catalog when recorded. */
        public Builder cost(BigDecimal cost) {
            this.cost = cost;
            return this;
        }

        /** {@value Operation#SUCCESS} by default. */
        public Builder status(String status) {
            this.status = status;
            return this;
        }

        /** Status {@value Operation#ERROR} with this message. */
        public Builder failed(String errorMessage) {
            this.status = ERROR;
            this.errorMessage = errorMessage;
            return this;
        }

        public Builder errorMessage(String errorMessage) {
            this.errorMessage = errorMessage;
            return this;
        }

        public Builder extras(Map<String, Object> extras) {
            this.extras = extras;
            return this;
        }

        public Operation build() {
            return new Operation(operationId, sessionId, actionId, timestamp, operationType, provider, model,
                    inputTokens, outputTokens, latencyMs, cost, status, errorMessage, extras);
        }
    }
}
