package io.llmstore.core.trace;

import io.llmstore.core.price.TokenUsage;
import io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GenAiOperationNameIncubatingValues;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one mapping between {@link LlmSpan}'s fields and attribute names: the OpenTelemetry GenAI semantic conventions
 * ({@code gen_ai.*}) where they name the field, {@code llmstore.*} for the rest. {@link LlmSpan#attributes()} and
 * {@link LlmSpan#fromAttributes} go through here and nowhere else; docs/traces.md lists the table.
 *
 * <p>Where the names come from: the operation names ({@link #OPERATION_CHAT}, ...) are the compile-time constants of
 * {@code io.opentelemetry.semconv:opentelemetry-semconv-incubating} (a {@code provided} dependency of core: javac
 * copies the strings in, so users never need the jar). Its attribute keys are {@code AttributeKey} objects, which
 * need the jar and the OpenTelemetry API at run time, so the keys here are strings that {@code GenAiAttributesUnitTest}
 * checks, one by one, against the published artifact's {@code getKey()}: a rename in the spec fails that test and is
 * a one-line change here.
 *
 * <p>Values: text as {@code String}, token counts as {@code Long}, finish reasons as {@code List<String>} (an
 * OpenTelemetry string array), times as ISO-8601 text, the cost as plain decimal text. Reading also takes any
 * {@link Number} for a count, and a comma-free single {@code String} for the finish reasons.
 *
 * <p>Stateless and thread-safe.
 */
public final class GenAiAttributes {
    // ---- OpenTelemetry GenAI names (checked against opentelemetry-semconv-incubating 1.43.0-alpha)
    public static final String OPERATION_NAME = "gen_ai.operation.name";
    public static final String PROVIDER_NAME = "gen_ai.provider.name";
    public static final String REQUEST_MODEL = "gen_ai.request.model";
    public static final String RESPONSE_MODEL = "gen_ai.response.model";
    public static final String RESPONSE_ID = "gen_ai.response.id";
    public static final String RESPONSE_FINISH_REASONS = "gen_ai.response.finish_reasons";
    public static final String USAGE_INPUT_TOKENS = "gen_ai.usage.input_tokens";
    public static final String USAGE_OUTPUT_TOKENS = "gen_ai.usage.output_tokens";
    public static final String USAGE_CACHE_READ_INPUT_TOKENS = "gen_ai.usage.cache_read.input_tokens";
    public static final String USAGE_CACHE_CREATION_INPUT_TOKENS = "gen_ai.usage.cache_creation.input_tokens";
    public static final String USAGE_REASONING_OUTPUT_TOKENS = "gen_ai.usage.reasoning.output_tokens";
    public static final String CONVERSATION_ID = "gen_ai.conversation.id";

    // ---- Operation names: the artifact's own constants, inlined at compile time.
    public static final String OPERATION_CHAT = GenAiOperationNameIncubatingValues.CHAT;
    public static final String OPERATION_TEXT_COMPLETION = GenAiOperationNameIncubatingValues.TEXT_COMPLETION;
    public static final String OPERATION_EMBEDDINGS = GenAiOperationNameIncubatingValues.EMBEDDINGS;
    public static final String OPERATION_GENERATE_CONTENT = GenAiOperationNameIncubatingValues.GENERATE_CONTENT;
    public static final String OPERATION_EXECUTE_TOOL = GenAiOperationNameIncubatingValues.EXECUTE_TOOL;
    public static final String OPERATION_INVOKE_AGENT = GenAiOperationNameIncubatingValues.INVOKE_AGENT;

    // ---- llmstore names, for what the conventions carry outside attributes or do not name.
    public static final String SPAN_ID = "llmstore.span_id";
    public static final String TRACE_ID = "llmstore.trace_id";
    public static final String PARENT_SPAN_ID = "llmstore.parent_span_id";
    public static final String SPAN_NAME = "llmstore.span_name";
    public static final String START_TIME = "llmstore.start_time";
    public static final String END_TIME = "llmstore.end_time";
    public static final String STATUS = "llmstore.status";
    public static final String STATUS_MESSAGE = "llmstore.status_message";
    public static final String INPUT = "llmstore.input";
    public static final String OUTPUT = "llmstore.output";
    public static final String COST_USD = "llmstore.cost_usd";
    public static final String PRICE_SOURCE = "llmstore.price_source";
    public static final String USER_ID = "llmstore.user_id";

    /** Every name this mapping owns; any other attribute is an extra attribute. */
    public static final List<String> NAMES = List.of(OPERATION_NAME, PROVIDER_NAME, REQUEST_MODEL, RESPONSE_MODEL,
            RESPONSE_ID, RESPONSE_FINISH_REASONS, USAGE_INPUT_TOKENS, USAGE_OUTPUT_TOKENS,
            USAGE_CACHE_READ_INPUT_TOKENS, USAGE_CACHE_CREATION_INPUT_TOKENS, USAGE_REASONING_OUTPUT_TOKENS,
            CONVERSATION_ID, SPAN_ID, TRACE_ID, PARENT_SPAN_ID, SPAN_NAME, START_TIME, END_TIME, STATUS,
            STATUS_MESSAGE, INPUT, OUTPUT, COST_USD, PRICE_SOURCE, USER_ID);

    private GenAiAttributes() {
    }

    /**
     * {@code span} as attributes (see {@link LlmSpan#attributes()}): absent fields are left out; usage counts are
     * given when the span has usage (cache and reasoning counts only when not 0).
     */
    public static Map<String, Object> toAttributes(LlmSpan span) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put(OPERATION_NAME, span.operation());
        put(a, PROVIDER_NAME, span.provider());
        put(a, REQUEST_MODEL, span.requestModel());
        put(a, RESPONSE_MODEL, span.responseModel());
        put(a, RESPONSE_ID, span.responseId());
        if (!span.finishReasons().isEmpty()) {
            a.put(RESPONSE_FINISH_REASONS, span.finishReasons());
        }
        TokenUsage u = span.usage();
        if (u != null) {
            a.put(USAGE_INPUT_TOKENS, u.inputTokens());
            a.put(USAGE_OUTPUT_TOKENS, u.outputTokens());
            if (u.cacheReadTokens() != 0) {
                a.put(USAGE_CACHE_READ_INPUT_TOKENS, u.cacheReadTokens());
            }
            if (u.cacheWriteTokens() != 0) {
                a.put(USAGE_CACHE_CREATION_INPUT_TOKENS, u.cacheWriteTokens());
            }
            if (u.outputReasoningTokens() != 0) {
                a.put(USAGE_REASONING_OUTPUT_TOKENS, u.outputReasoningTokens());
            }
        }
        put(a, CONVERSATION_ID, span.conversationId());
        a.put(SPAN_ID, span.spanId());
        a.put(TRACE_ID, span.traceId());
        put(a, PARENT_SPAN_ID, span.parentSpanId());
        a.put(SPAN_NAME, span.name());
        a.put(START_TIME, span.startTime().toString());
        a.put(END_TIME, span.endTime().toString());
        a.put(STATUS, span.status().name().toLowerCase(java.util.Locale.ROOT));
        put(a, STATUS_MESSAGE, span.statusMessage());
        put(a, INPUT, span.input());
        put(a, OUTPUT, span.output());
        if (span.costUsd() != null) {
            a.put(COST_USD, span.costUsd().toPlainString());
        }
        put(a, PRICE_SOURCE, span.priceSource());
        put(a, USER_ID, span.userId());
        span.extraAttributes().forEach(a::putIfAbsent);
        return java.util.Collections.unmodifiableMap(a);
    }

    /**
     * A builder filled from {@code attributes}: every name of {@link #NAMES} sets its field (a span without usage
     * names no {@code gen_ai.usage.*} count), every other attribute becomes an extra attribute, as text (a list
     * joined with commas). For an OpenTelemetry span, set the identity, name and times from the span itself.
     *
     * @throws IllegalArgumentException naming the attribute when a known one has the wrong type or value
     */
    public static LlmSpan.Builder toBuilder(Map<String, ?> attributes) {
        java.util.Objects.requireNonNull(attributes, "attributes");
        LlmSpan.Builder b = LlmSpan.builder()
                .operation(text(attributes, OPERATION_NAME))
                .provider(text(attributes, PROVIDER_NAME))
                .requestModel(text(attributes, REQUEST_MODEL))
                .responseModel(text(attributes, RESPONSE_MODEL))
                .responseId(text(attributes, RESPONSE_ID))
                .finishReasons(list(attributes, RESPONSE_FINISH_REASONS))
                .conversationId(text(attributes, CONVERSATION_ID))
                .spanId(text(attributes, SPAN_ID))
                .traceId(text(attributes, TRACE_ID))
                .parentSpanId(text(attributes, PARENT_SPAN_ID))
                .name(text(attributes, SPAN_NAME))
                .startTime(time(attributes, START_TIME))
                .endTime(time(attributes, END_TIME))
                .input(text(attributes, INPUT))
                .output(text(attributes, OUTPUT))
                .userId(text(attributes, USER_ID));
        Long in = count(attributes, USAGE_INPUT_TOKENS);
        Long out = count(attributes, USAGE_OUTPUT_TOKENS);
        Long cacheRead = count(attributes, USAGE_CACHE_READ_INPUT_TOKENS);
        Long cacheWrite = count(attributes, USAGE_CACHE_CREATION_INPUT_TOKENS);
        Long reasoning = count(attributes, USAGE_REASONING_OUTPUT_TOKENS);
        if (in != null || out != null || cacheRead != null || cacheWrite != null || reasoning != null) {
            b.usage(TokenUsage.builder().inputTokens(zero(in)).outputTokens(zero(out)).cacheReadTokens(zero(cacheRead))
                    .cacheWriteTokens(zero(cacheWrite)).outputReasoningTokens(zero(reasoning)).build());
        }
        String cost = text(attributes, COST_USD);
        BigDecimal costUsd = null;
        if (cost != null) {
            try {
                costUsd = new BigDecimal(cost);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(COST_USD + " must be a decimal number, was \"" + cost + "\"");
            }
        }
        b.cost(costUsd, text(attributes, PRICE_SOURCE));
        String status = text(attributes, STATUS);
        String message = text(attributes, STATUS_MESSAGE);
        if (status == null || status.equalsIgnoreCase("ok") || status.equalsIgnoreCase("unset")) {
            b.status(LlmSpan.Status.OK, message);
        } else if (status.equalsIgnoreCase("error")) {
            b.status(LlmSpan.Status.ERROR, message);
        } else {
            throw new IllegalArgumentException(STATUS + " must be ok or error, was \"" + status + "\"");
        }
        for (Map.Entry<String, ?> e : attributes.entrySet()) {
            if (!NAMES.contains(e.getKey()) && e.getValue() != null) {
                Object v = e.getValue();
                b.attribute(e.getKey(), v instanceof List<?> l ? String.join(",", l.stream().map(String::valueOf).toList())
                        : String.valueOf(v));
            }
        }
        return b;
    }

    private static void put(Map<String, Object> a, String key, String value) {
        if (value != null) {
            a.put(key, value);
        }
    }

    private static long zero(Long v) {
        return v == null ? 0 : v;
    }

    private static String text(Map<String, ?> a, String key) {
        Object v = a.get(key);
        if (v == null || v instanceof String) {
            return (String) v;
        }
        throw new IllegalArgumentException(key + " must be a string, was " + v.getClass().getSimpleName() + " " + v);
    }

    private static Long count(Map<String, ?> a, String key) {
        Object v = a.get(key);
        if (v == null) {
            return null;
        }
        long n;
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            n = ((Number) v).longValue();
        } else if (v instanceof String s) {
            try {
                n = Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + " must be a whole number, was \"" + s + "\"");
            }
        } else {
            throw new IllegalArgumentException(key + " must be a whole number, was " + v.getClass().getSimpleName() + " " + v);
        }
        if (n < 0) {
            throw new IllegalArgumentException(key + " must be >= 0, was " + n);
        }
        return n;
    }

    private static List<String> list(Map<String, ?> a, String key) {
        Object v = a.get(key);
        if (v == null) {
            return List.of();
        }
        if (v instanceof String s) {
            return List.of(s);
        }
        if (v instanceof List<?> l) {
            List<String> out = new ArrayList<>(l.size());
            for (Object o : l) {
                if (!(o instanceof String s)) {
                    throw new IllegalArgumentException(key + " must hold strings, was " + l);
                }
                out.add(s);
            }
            return out;
        }
        throw new IllegalArgumentException(key + " must be a list of strings, was " + v.getClass().getSimpleName() + " " + v);
    }

    private static Instant time(Map<String, ?> a, String key) {
        Object v = a.get(key);
        if (v == null || v instanceof Instant) {
            return (Instant) v;
        }
        if (v instanceof String s) {
            try {
                return Instant.parse(s);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(key + " must be an ISO-8601 instant such as 2026-01-02T03:04:05Z, was \""
                        + s + "\"");
            }
        }
        throw new IllegalArgumentException(key + " must be an ISO-8601 instant, was " + v.getClass().getSimpleName() + " " + v);
    }
}
