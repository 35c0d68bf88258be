package io.llmstore.core.event;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The wire form of an {@link LlmEvent}: UTF-8 JSON, snake_case, stable. Field names and meanings never change
 * within a {@code schema_version}; new optional fields may be added, and readers ignore fields they do not know.
 *
 * <pre>{@code
 * {
 *   "schema_version": 2,                      // integer: 2 when a field added in 2 is present, else 1
 *   "event_id": "0b6f...-...",                // UUID text, required
 *   "timestamp": "2026-01-31T12:00:00.123Z",  // ISO-8601 instant, required
 *   "event_type": "completion",               // required
 *   "model_id": "gpt-4o",                     // required
 *   "provider": "openai",                     // required
 *   "user_id": "user-42",                     // optional (omitted when none)
 *   "tokens": {"input": 120, "output": 48,    // integers >= 0, required
 *              "cache_read": 100,             //   since 2, optional: part of input, read from the prompt cache
 *              "cache_write": 0,              //   since 2, optional: part of input, written to the prompt cache
 *              "reasoning": 20},              //   since 2, optional: part of output
 *   "price_source": "@pydantic/genai-prices@0.1.8", // since 2, optional: what priced cost_usd
 *   "latency_ms": 812.5,                      // number >= 0 (fractions allowed), required
 *   "cost_usd": 0.00123,                      // decimal >= 0, optional (omitted when unknown); read exactly
 *   "attributes": {"environment": "prod"}     // string to string, optional
 * }
 * }</pre>
 *
 * <p>Version 2 adds only optional fields; an event that carries none of them is written as version 1, so a
 * version-1 reader (which refuses a higher version) still reads every event that has nothing it would lose.
 * {@link #decode} reads both versions.
 *
 * <p>{@link #decode} fails with an {@link InvalidEventException} naming the wire field ({@code tokens.input must
 * be >= 0, was -3}). Thread-safe; stateless apart from a shared, immutable Jackson factory.
 */
public final class LlmEventJson {
    /** The {@code schema_version} this class writes. */
    public static final int SCHEMA_VERSION = 2;

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final JsonFactory FACTORY = MAPPER.getFactory();

    private LlmEventJson() {
    }

    /** The event as UTF-8 JSON bytes. */
    public static byte[] encode(LlmEvent event) {
        // The streaming generator, not a tree: the publisher's hot path encodes every event (~5 us each here).
        ByteArrayBuilder out = new ByteArrayBuilder(512);
        try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            boolean v2 = event.tokenCacheRead() != null || event.tokenCacheWrite() != null
                    || event.tokenReasoning() != null || event.priceSource() != null;
            g.writeNumberField("schema_version", v2 ? SCHEMA_VERSION : 1);
            g.writeStringField("event_id", event.eventId().toString());
            g.writeStringField("timestamp", event.timestamp().toString());
            g.writeStringField("event_type", event.eventType());
            g.writeStringField("model_id", event.modelId());
            g.writeStringField("provider", event.provider());
            if (event.userId() != null) {
                g.writeStringField("user_id", event.userId());
            }
            g.writeObjectFieldStart("tokens");
            g.writeNumberField("input", event.tokenInput());
            g.writeNumberField("output", event.tokenOutput());
            optionalNumber(g, "cache_read", event.tokenCacheRead());
            optionalNumber(g, "cache_write", event.tokenCacheWrite());
            optionalNumber(g, "reasoning", event.tokenReasoning());
            g.writeEndObject();
            g.writeNumberField("latency_ms", toMillis(event.latency()));
            if (event.costUsd() != null) {
                g.writeNumberField("cost_usd", event.costUsd());
            }
            if (event.priceSource() != null) {
                g.writeStringField("price_source", event.priceSource());
            }
            g.writeObjectFieldStart("attributes");
            for (Map.Entry<String, String> e : event.attributes().entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("encoding LlmEvent " + event.eventId(), e);
        }
        return out.toByteArray();
    }

    private static void optionalNumber(JsonGenerator g, String field, Long value) throws IOException {
        if (value != null) {
            g.writeNumberField(field, value);
        }
    }

    /** The event as JSON text (for logs and tests). */
    public static String encodeToString(LlmEvent event) {
        return new String(encode(event), java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * Reads an event from UTF-8 JSON bytes.
     *
     * @throws InvalidEventException when the bytes are null, not a JSON object, or a field is missing or breaks a rule
     */
    public static LlmEvent decode(byte[] json) {
        if (json == null) {
            throw new InvalidEventException("event must not be null (a tombstone record?)", true, null);
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new InvalidEventException("event is not valid JSON: " + e.getOriginalMessage(), true, e);
        } catch (IOException e) {
            throw new InvalidEventException("event is not valid JSON: " + e.getMessage(), true, e);
        }
        if (root == null || !root.isObject()) {
            throw new InvalidEventException("event must be a JSON object, was "
                    + (root == null ? "empty" : root.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)), true, null);
        }
        JsonNode version = root.get("schema_version");
        if (version != null && !version.isNull() && (!version.canConvertToInt() || version.asInt() > SCHEMA_VERSION)) {
            throw new InvalidEventException("schema_version must be <= " + SCHEMA_VERSION + ", was " + version, false, null);
        }
        UUID eventId = uuid(root, "event_id");
        Instant timestamp = instant(root, "timestamp");
        String eventType = text(root, "event_type", true);
        String modelId = text(root, "model_id", true);
        String provider = text(root, "provider", true);
        String userId = text(root, "user_id", false);
        JsonNode tokens = root.get("tokens");
        if (tokens == null || !tokens.isObject()) {
            throw invalid("tokens must be an object {\"input\": n, \"output\": n}, was " + tokens);
        }
        long input = nonNegativeLong(tokens, "input", "tokens.input");
        long output = nonNegativeLong(tokens, "output", "tokens.output");
        Long cacheRead = tokens.hasNonNull("cache_read") ? nonNegativeLong(tokens, "cache_read", "tokens.cache_read") : null;
        Long cacheWrite = tokens.hasNonNull("cache_write") ? nonNegativeLong(tokens, "cache_write", "tokens.cache_write") : null;
        Long reasoning = tokens.hasNonNull("reasoning") ? nonNegativeLong(tokens, "reasoning", "tokens.reasoning") : null;
        String priceSource = text(root, "price_source", false);
        Duration latency = latency(root);
        BigDecimal cost = cost(root);
        Map<String, String> attributes = attributes(root);
        try {
            return new LlmEvent(eventId, timestamp, eventType, modelId, provider, userId, input, output, latency, cost,
                    attributes, cacheRead, cacheWrite, reasoning, priceSource);
        } catch (IllegalArgumentException e) {
            // The record names its Java field; say the wire name so the producer can find it.
            throw invalid(wireNames(e.getMessage()));
        }
    }

    private static UUID uuid(JsonNode root, String field) {
        String text = text(root, field, true);
        try {
            return UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            throw invalid(field + " must be a UUID, was '" + text + "'");
        }
    }

    private static Instant instant(JsonNode root, String field) {
        String text = text(root, field, true);
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw invalid(field + " must be an ISO-8601 instant such as 2026-01-31T12:00:00Z, was '" + text + "'");
        }
    }

    private static String text(JsonNode root, String field, boolean required) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            if (required) {
                throw invalid(field + " is required");
            }
            return null;
        }
        if (!node.isTextual()) {
            throw invalid(field + " must be a string, was " + node);
        }
        return node.textValue();
    }

    private static long nonNegativeLong(JsonNode parent, String field, String path) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            throw invalid(path + " is required");
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw invalid(path + " must be an integer >= 0, was " + node);
        }
        long value = node.longValue();
        if (value < 0) {
            throw invalid(path + " must be >= 0, was " + value);
        }
        return value;
    }

    private static Duration latency(JsonNode root) {
        JsonNode node = root.get("latency_ms");
        if (node == null || node.isNull()) {
            throw invalid("latency_ms is required");
        }
        if (!node.isNumber()) {
            throw invalid("latency_ms must be a number >= 0, was " + node);
        }
        BigDecimal ms = node.decimalValue();
        if (ms.signum() < 0) {
            throw invalid("latency_ms must be >= 0, was " + ms.toPlainString());
        }
        if (ms.compareTo(BigDecimal.valueOf(Long.MAX_VALUE / 1_000_000L)) > 0) {
            throw invalid("latency_ms must be <= " + (Long.MAX_VALUE / 1_000_000L) + ", was " + ms.toPlainString());
        }
        return Duration.ofNanos(ms.movePointRight(6).longValue());
    }

    private static BigDecimal cost(JsonNode root) {
        JsonNode node = root.get("cost_usd");
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isNumber()) {
            throw invalid("cost_usd must be a number >= 0, was " + node);
        }
        BigDecimal cost = node.decimalValue();
        if (cost.signum() < 0) {
            throw invalid("cost_usd must be >= 0, was " + cost.toPlainString());
        }
        return cost;
    }

    private static Map<String, String> attributes(JsonNode root) {
        JsonNode node = root.get("attributes");
        Map<String, String> values = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return values;
        }
        if (!node.isObject()) {
            throw invalid("attributes must be an object of strings, was " + node);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw invalid("attributes." + e.getKey() + " must be a string, was " + e.getValue());
            }
            values.put(e.getKey(), e.getValue().textValue());
        }
        return values;
    }

    private static double toMillis(Duration latency) {
        return latency.getSeconds() * 1000.0 + latency.getNano() / 1_000_000.0;
    }

    private static String wireNames(String message) {
        return message.replace("eventType", "event_type").replace("modelId", "model_id")
                .replace("userId", "user_id").replace("tokenInput", "tokens.input")
                .replace("tokenOutput", "tokens.output").replace("costUsd", "cost_usd")
                .replace("tokenCacheRead", "tokens.cache_read").replace("tokenCacheWrite", "tokens.cache_write")
                .replace("tokenReasoning", "tokens.reasoning").replace("priceSource", "price_source");
    }

    private static InvalidEventException invalid(String message) {
        return new InvalidEventException(message, false, null);
    }
}
