package io.llmstore.core.trace;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmstore.core.price.TokenUsage;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One step of an LLM call chain (a chat call, an embedding, a tool call, an agent step), as the application saw it:
 * immutable, built with {@link #builder()}, checked when built. Its OpenTelemetry GenAI form is
 * {@link #attributes()} and {@link #fromAttributes(Map)} ({@link GenAiAttributes} is the mapping, one place).
 *
 * <p>Rules, each refused with an {@link IllegalArgumentException} naming the field, the rule and the value:
 * {@code spanId}, {@code traceId}, {@code name} and {@code operation} are required; identifiers and names are at most
 * {@value #MAX_NAME_CHARS} characters, texts ({@code input}, {@code output}, {@code statusMessage}) at most
 * {@value #MAX_TEXT_CHARS}; no text holds a NUL character or a lone surrogate (PostgreSQL cannot store the first,
 * UTF-8 cannot encode the second); {@code endTime} is not before {@code startTime}, both within years 1..9999 and
 * kept in microseconds (what PostgreSQL stores); token counts are >= 0 ({@link TokenUsage} checks them); a cost is
 * >= 0; at most {@value #MAX_ATTRIBUTES} extra attributes, none named like a field's attribute
 * ({@link GenAiAttributes#NAMES}).
 *
 * @param spanId         the application's id of this span, unique within its trace
 * @param traceId        the application's id of the trace (any string, e.g. OpenTelemetry's 32 hex digits); stored
 *                       under the UUID {@link TraceIds#uuidOf} derives from it
 * @param parentSpanId   the parent span's id, null for a root; a parent not (yet) stored is allowed
 * @param name           what the step is called, e.g. {@code chat gpt-4o}
 * @param operation      the GenAI operation: {@link #CHAT}, {@link #TEXT_COMPLETION}, {@link #EMBEDDINGS},
 *                       {@link #EXECUTE_TOOL}, {@link #INVOKE_AGENT}, ... or the application's own word
 * @param provider       the GenAI provider ({@code openai}, {@code anthropic}), or null
 * @param requestModel   the model asked for, or null
 * @param responseModel  the model that answered, or null
 * @param responseId     the provider's id of the response, or null
 * @param input          the prompt: plain text, or chat messages as JSON ({@link Builder#inputMessages}); or null
 * @param output         the completion, or null
 * @param finishReasons  why the model stopped, one per choice; never null, unmodifiable
 * @param usage          the tokens used, or null when the step used none (a tool call)
 * @param costUsd        the cost in USD, or null; the writer fills it from the price catalog when absent
 * @param priceSource    what priced {@code costUsd} ({@code <dataset>@<version>}, or the application's word), or null
 * @param startTime      when the step started
 * @param endTime        when it ended
 * @param status         {@link Status#OK} or {@link Status#ERROR}
 * @param statusMessage  the error, or null
 * @param extraAttributes further attributes (string values) beyond the fields; never null, unmodifiable, in
 *                       insertion order
 * @param conversationId the conversation (session, thread) the step belongs to, or null
 * @param userId         the end user, or null
 */
public record LlmSpan(String spanId, String traceId, String parentSpanId, String name, String operation,
                      String provider, String requestModel, String responseModel, String responseId,
                      String input, String output, List<String> finishReasons, TokenUsage usage,
                      BigDecimal costUsd, String priceSource, Instant startTime, Instant endTime, Status status,
                      String statusMessage, Map<String, String> extraAttributes, String conversationId, String userId) {
    /** Longest identifier, name, model or provider, in characters (the columns are {@code VARCHAR(255)}). */
    public static final int MAX_NAME_CHARS = 255;
    /** Longest operation name, in characters. */
    public static final int MAX_OPERATION_CHARS = 64;
    /** Longest input, output or status message, in characters (1 Mi). */
    public static final int MAX_TEXT_CHARS = 1 << 20;
    /** Most extra attributes per span. */
    public static final int MAX_ATTRIBUTES = 128;
    /** Longest attribute value, in characters. */
    public static final int MAX_ATTRIBUTE_VALUE_CHARS = 8192;
    /** Earliest time stored: 0001-01-01T00:00:00Z. */
    public static final Instant MIN_TIME = Instant.parse("0001-01-01T00:00:00Z");
    /** Latest time stored: 9999-12-31T23:59:59.999999Z. */
    public static final Instant MAX_TIME = Instant.parse("9999-12-31T23:59:59.999999Z");

    /** Operation names of the OpenTelemetry GenAI conventions ({@code gen_ai.operation.name}). */
    public static final String CHAT = GenAiAttributes.OPERATION_CHAT;
    public static final String TEXT_COMPLETION = GenAiAttributes.OPERATION_TEXT_COMPLETION;
    public static final String EMBEDDINGS = GenAiAttributes.OPERATION_EMBEDDINGS;
    public static final String GENERATE_CONTENT = GenAiAttributes.OPERATION_GENERATE_CONTENT;
    public static final String EXECUTE_TOOL = GenAiAttributes.OPERATION_EXECUTE_TOOL;
    public static final String INVOKE_AGENT = GenAiAttributes.OPERATION_INVOKE_AGENT;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** How a step ended. */
    public enum Status {
        OK, ERROR
    }

    /** A chat message of a prompt: its role ({@code system}, {@code user}, {@code assistant}, ...) and content. */
    public record ChatMessage(String role, String content) {
        public ChatMessage {
            requireName("role", role, true);
            Objects.requireNonNull(content, "content");
        }
    }

    public LlmSpan {
        requireName("spanId", spanId, true);
        requireName("traceId", traceId, true);
        requireName("parentSpanId", parentSpanId, false);
        requireName("name", name, true);
        requireText("operation", operation, MAX_OPERATION_CHARS, true);
        requireName("provider", provider, false);
        requireName("requestModel", requestModel, false);
        requireName("responseModel", responseModel, false);
        requireName("responseId", responseId, false);
        requireText("input", input, MAX_TEXT_CHARS, false);
        requireText("output", output, MAX_TEXT_CHARS, false);
        requireText("statusMessage", statusMessage, MAX_TEXT_CHARS, false);
        requireName("priceSource", priceSource, false);
        requireName("conversationId", conversationId, false);
        requireName("userId", userId, false);
        if (spanId.equals(parentSpanId)) {
            throw new IllegalArgumentException("parentSpanId must differ from spanId, was " + quote(parentSpanId));
        }
        finishReasons = finishReasons == null ? List.of() : List.copyOf(finishReasons);
        for (String reason : finishReasons) {
            requireName("finishReasons[]", reason, true);
        }
        if (costUsd != null && costUsd.signum() < 0) {
            throw new IllegalArgumentException("costUsd must be >= 0, was " + costUsd.toPlainString());
        }
        startTime = requireTime("startTime", startTime);
        endTime = requireTime("endTime", endTime);
        if (endTime.isBefore(startTime)) {
            throw new IllegalArgumentException("endTime must not be before startTime (" + startTime + "), was " + endTime);
        }
        Objects.requireNonNull(status, "status");
        if (extraAttributes == null || extraAttributes.isEmpty()) {
            extraAttributes = Map.of();
        } else {
            if (extraAttributes.size() > MAX_ATTRIBUTES) {
                throw new IllegalArgumentException("extraAttributes must hold at most " + MAX_ATTRIBUTES + " entries, was "
                        + extraAttributes.size());
            }
            Map<String, String> copy = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : extraAttributes.entrySet()) {
                requireName("extraAttributes key", e.getKey(), true);
                if (GenAiAttributes.NAMES.contains(e.getKey())) {
                    // it would shadow (or be shadowed by) the field in attributes(), and not survive the round trip
                    throw new IllegalArgumentException("extraAttributes key must not be a name GenAiAttributes maps to a"
                            + " field, was " + quote(e.getKey()));
                }
                requireText("extraAttributes[" + e.getKey() + "]", e.getValue(), MAX_ATTRIBUTE_VALUE_CHARS, true);
                copy.put(e.getKey(), e.getValue());
            }
            extraAttributes = java.util.Collections.unmodifiableMap(copy);
        }
    }

    /** A builder; {@code status} defaults to OK. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this span's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.spanId = spanId;
        b.traceId = traceId;
        b.parentSpanId = parentSpanId;
        b.name = name;
        b.operation = operation;
        b.provider = provider;
        b.requestModel = requestModel;
        b.responseModel = responseModel;
        b.responseId = responseId;
        b.input = input;
        b.output = output;
        b.finishReasons = finishReasons;
        b.usage = usage;
        b.costUsd = costUsd;
        b.priceSource = priceSource;
        b.startTime = startTime;
        b.endTime = endTime;
        b.status = status;
        b.statusMessage = statusMessage;
        b.extraAttributes = new LinkedHashMap<>(extraAttributes);
        b.conversationId = conversationId;
        b.userId = userId;
        return b;
    }

    /** How long the step took: {@code endTime - startTime}. */
    public Duration latency() {
        return Duration.between(startTime, endTime);
    }

    /** Whether the step failed. */
    public boolean isError() {
        return status == Status.ERROR;
    }

    /** Whether the step carries usage or a cost: the steps a bill is made of (see {@link SpanTotals}). */
    public boolean isBilled() {
        return usage != null || costUsd != null;
    }

    /** This span with {@code cost} and its {@code source}. */
    public LlmSpan withCost(BigDecimal cost, String source) {
        return toBuilder().cost(cost, source).build();
    }

    /**
     * This span as attributes: the OpenTelemetry GenAI names ({@code gen_ai.*}) for what the conventions cover, the
     * {@code llmstore.*} names for the rest (span id, trace id, name, times, status, texts, cost), and the
     * {@link #extraAttributes} as they are; values are {@code String}, {@code Long} or {@code List<String>}. The
     * inverse of {@link #fromAttributes}; {@link GenAiAttributes} is the mapping.
     */
    public Map<String, Object> attributes() {
        return GenAiAttributes.toAttributes(this);
    }

    /**
     * The span these attributes describe (the inverse of {@link #attributes()}): every name {@link GenAiAttributes}
     * knows sets its field, every other attribute becomes an extra attribute (as text).
     *
     * @throws IllegalArgumentException naming the attribute when a known one has the wrong type or value, or naming
     *                                  the field when the span breaks a rule (the identity and times come from the
     *                                  {@code llmstore.*} names; for attributes of an OpenTelemetry span, which
     *                                  carries them outside its attributes, use {@link GenAiAttributes#toBuilder})
     */
    public static LlmSpan fromAttributes(Map<String, ?> attributes) {
        return GenAiAttributes.toBuilder(attributes).build();
    }

    private static String quote(String s) {
        return s == null ? "null" : "\"" + (s.length() > 80 ? s.substring(0, 80) + "..." : s) + "\"";
    }

    static void requireName(String field, String value, boolean required) {
        requireText(field, value, MAX_NAME_CHARS, required);
        if (value != null && value.isBlank()) {
            throw new IllegalArgumentException(field + " must not be blank, was " + quote(value));
        }
    }

    static void requireText(String field, String value, int maxChars, boolean required) {
        if (value == null) {
            if (required) {
                throw new IllegalArgumentException(field + " is required, was null");
            }
            return;
        }
        if (value.length() > maxChars) {
            throw new IllegalArgumentException(field + " must be at most " + maxChars + " characters, was "
                    + value.length() + " characters: " + quote(value));
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == 0) {
                throw new IllegalArgumentException(field + " must not contain a NUL character (U+0000), found at index "
                        + i);
            }
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException(field + " must be valid UTF-16 text, found a lone surrogate U+"
                        + Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT) + " at index " + i);
            }
        }
    }

    private static Instant requireTime(String field, Instant time) {
        Objects.requireNonNull(time, field);
        Instant micros = time.truncatedTo(ChronoUnit.MICROS);
        if (micros.isBefore(MIN_TIME) || micros.isAfter(MAX_TIME)) {
            throw new IllegalArgumentException(field + " must be between " + MIN_TIME + " and " + MAX_TIME
                    + " (years 1..9999), was " + time);
        }
        return micros;
    }

    /** Builds an {@link LlmSpan}; the record's constructor checks the values. Not thread-safe. */
    public static final class Builder {
        private String spanId;
        private String traceId;
        private String parentSpanId;
        private String name;
        private String operation;
        private String provider;
        private String requestModel;
        private String responseModel;
        private String responseId;
        private String input;
        private String output;
        private List<String> finishReasons = List.of();
        private TokenUsage usage;
        private BigDecimal costUsd;
        private String priceSource;
        private Instant startTime;
        private Instant endTime;
        private Status status = Status.OK;
        private String statusMessage;
        private Map<String, String> extraAttributes = new LinkedHashMap<>();
        private String conversationId;
        private String userId;

        private Builder() {
        }

        public Builder spanId(String id) {
            this.spanId = id;
            return this;
        }

        public Builder traceId(String id) {
            this.traceId = id;
            return this;
        }

        public Builder parentSpanId(String id) {
            this.parentSpanId = id;
            return this;
        }

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** The GenAI operation ({@link LlmSpan#CHAT}, ...). */
        public Builder operation(String operation) {
            this.operation = operation;
            return this;
        }

        public Builder provider(String provider) {
            this.provider = provider;
            return this;
        }

        /** The model asked for; also the response model until {@link #responseModel} says otherwise. */
        public Builder model(String model) {
            this.requestModel = model;
            return this;
        }

        public Builder requestModel(String model) {
            this.requestModel = model;
            return this;
        }

        public Builder responseModel(String model) {
            this.responseModel = model;
            return this;
        }

        public Builder responseId(String id) {
            this.responseId = id;
            return this;
        }

        /** A text prompt. */
        public Builder input(String prompt) {
            this.input = prompt;
            return this;
        }

        /** Chat messages as the prompt, stored as a JSON array of {@code {"role":..,"content":..}} objects. */
        public Builder inputMessages(List<ChatMessage> messages) {
            Objects.requireNonNull(messages, "messages");
            List<Map<String, String>> json = new ArrayList<>(messages.size());
            for (ChatMessage m : messages) {
                Map<String, String> o = new LinkedHashMap<>();
                o.put("role", m.role());
                o.put("content", m.content());
                json.add(o);
            }
            try {
                this.input = JSON.writeValueAsString(json);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("inputMessages cannot be written as JSON: " + e.getOriginalMessage(), e);
            }
            return this;
        }

        public Builder output(String completion) {
            this.output = completion;
            return this;
        }

        public Builder finishReasons(List<String> reasons) {
            this.finishReasons = reasons;
            return this;
        }

        /** Tokens used; null = none. */
        public Builder usage(TokenUsage usage) {
            this.usage = usage;
            return this;
        }

        /** Plain input and output tokens (refused below 0, naming the count). */
        public Builder usage(long inputTokens, long outputTokens) {
            this.usage = TokenUsage.of(inputTokens, outputTokens);
            return this;
        }

        /** The cost in USD and what priced it (either may be null). */
        public Builder cost(BigDecimal costUsd, String priceSource) {
            this.costUsd = costUsd;
            this.priceSource = priceSource;
            return this;
        }

        public Builder startTime(Instant time) {
            this.startTime = time;
            return this;
        }

        public Builder endTime(Instant time) {
            this.endTime = time;
            return this;
        }

        /** {@code endTime} as {@code startTime + latency} (set the start first). */
        public Builder latency(Duration latency) {
            Objects.requireNonNull(startTime, "startTime (set it before latency)");
            if (latency == null || latency.isNegative()) {
                throw new IllegalArgumentException("latency must be >= 0, was " + latency);
            }
            this.endTime = startTime.plus(latency);
            return this;
        }

        /** OK, no message. */
        public Builder ok() {
            this.status = Status.OK;
            this.statusMessage = null;
            return this;
        }

        /** An error with its message (may be null). */
        public Builder error(String message) {
            this.status = Status.ERROR;
            this.statusMessage = message;
            return this;
        }

        public Builder status(Status status, String message) {
            this.status = status;
            this.statusMessage = message;
            return this;
        }

        /** Adds one extra attribute (replacing a value of the same key). */
        public Builder attribute(String key, String value) {
            this.extraAttributes.put(key, value);
            return this;
        }

        /** Replaces the extra attributes. */
        public Builder extraAttributes(Map<String, String> attributes) {
            this.extraAttributes = new LinkedHashMap<>(Objects.requireNonNull(attributes, "attributes"));
            return this;
        }

        public Builder conversationId(String id) {
            this.conversationId = id;
            return this;
        }

        public Builder userId(String id) {
            this.userId = id;
            return this;
        }

        /** @throws IllegalArgumentException naming the field when a value breaks a rule of {@link LlmSpan} */
        public LlmSpan build() {
            return new LlmSpan(spanId, traceId, parentSpanId, name, operation, provider, requestModel, responseModel,
                    responseId, input, output, finishReasons, usage, costUsd, priceSource, startTime, endTime, status,
                    statusMessage, extraAttributes, conversationId, userId);
        }
    }
}
