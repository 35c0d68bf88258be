package io.llmstore.core.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmstore.core.price.TokenUsage;
import io.llmstore.core.usage.UsageSource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * A completed stream kept in the response cache, to replay to a client instead of calling the provider: the bytes
 * as they passed through {@link RecordedStream#onBytes} (a valid SSE body) or the events handed to
 * {@link RecordedStream#onEvent(String, String)}, with the usage the stream carried.
 *
 * @param format       the stream's wire format
 * @param sse          the SSE bytes to write to the client, or an empty array when the stream was fed as events
 * @param events       the events ({@link Event}) in order, or empty when fed as bytes
 * @param usage        the cached call's usage (the row of a hit carries it, with the cost it saved)
 * @param usageSource  whether that usage was reported or estimated
 * @param finishReason the provider's finish reason, or null
 */
public record CachedStream(StreamFormat format, byte[] sse, List<Event> events, TokenUsage usage,
                           UsageSource usageSource, String finishReason) {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int VERSION = 1;

    /**
     * One event of a stream fed as events.
     *
     * @param type the event type (SSE {@code event:} or Bedrock's event type), or null
     * @param data the event's JSON payload
     */
    public record Event(String type, String data) {
    }

    public CachedStream {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(usage, "usage");
        sse = sse == null ? new byte[0] : sse;
        events = events == null ? List.of() : List.copyOf(events);
    }

    /** The bytes of the cache entry (a small JSON document). */
    byte[] toBytes() {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("v", VERSION).put("format", format.name());
        if (sse.length > 0) {
            n.put("sse", Base64.getEncoder().encodeToString(sse));
        }
        if (!events.isEmpty()) {
            ArrayNode a = n.putArray("events");
            for (Event e : events) {
                a.addArray().add(e.type()).add(e.data());
            }
        }
        n.put("in", usage.inputTokens()).put("out", usage.outputTokens()).put("cr", usage.cacheReadTokens())
                .put("cw", usage.cacheWriteTokens()).put("rs", usage.outputReasoningTokens())
                .put("source", usageSource == null ? null : usageSource.value()).put("finish", finishReason);
        try {
            return MAPPER.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode a cached stream", e);
        }
    }

    /** The entry {@link #toBytes()} wrote, or null when the bytes are not one (another writer's entry, a new version). */
    static CachedStream fromBytes(byte[] bytes) {
        try {
            JsonNode n = MAPPER.readTree(bytes);
            if (n == null || n.path("v").asInt() != VERSION) {
                return null;
            }
            List<Event> events = new ArrayList<>();
            for (JsonNode e : n.path("events")) {
                events.add(new Event(e.get(0).isNull() ? null : e.get(0).asText(), e.get(1).asText()));
            }
            TokenUsage usage = TokenUsage.builder().inputTokens(n.path("in").asLong()).outputTokens(n.path("out").asLong())
                    .cacheReadTokens(n.path("cr").asLong()).cacheWriteTokens(n.path("cw").asLong())
                    .outputReasoningTokens(n.path("rs").asLong()).build();
            return new CachedStream(StreamFormat.valueOf(n.path("format").asText()),
                    n.has("sse") ? Base64.getDecoder().decode(n.get("sse").asText()) : null, events, usage,
                    UsageSource.of(n.path("source").isNull() ? null : n.path("source").asText()),
                    n.path("finish").isNull() ? null : n.path("finish").asText());
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return "CachedStream{" + format + ", " + sse.length + " bytes, " + events.size() + " events, " + usage
                + ", " + usageSource + ", finish=" + finishReason + "}";
    }
}
