package io.llmstore.core.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmstore.core.price.TokenUsage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A recorded SSE transcript (test resources, written from each provider's documented stream format) and what a
 * reader of it must find, computed here independently of the recorder: each event's end offset and output text, the
 * event that carries the final usage, and the usage it reports.
 *
 * @param name          resource name
 * @param format        wire format
 * @param provider      provider of the call
 * @param model         requested model (priced)
 * @param bytes         the transcript
 * @param reported      the final usage the transcript reports; null for a usage-less stream
 * @param finishReason  the provider's finish reason
 * @param eventEnds     byte offset just after each event's closing blank line
 * @param eventText     output text of each event
 * @param finalUsageEvent index of the event whose end makes the usage final (-1: none)
 * @param partialInput  input tokens reported before the final usage (Anthropic message_start, Gemini chunks); -1 none
 * @param partialCacheRead cache reads reported with the partial input
 * @param partialFrom   index of the first event reporting the partial input
 */
public record Transcript(String name, StreamFormat format, String provider, String model, byte[] bytes,
                         TokenUsage reported, String finishReason, List<Integer> eventEnds, List<String> eventText,
                         int finalUsageEvent, long partialInput, long partialCacheRead, int partialFrom) {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** The prompt every replay sends (its estimate is 48 code points / 4 = 12 tokens). */
    public static final String PROMPT = "What is the capital of France? Answer in short.";

    /** Every transcript. */
    public static List<Transcript> all() {
        return List.of(
                load("openai-chat.sse", StreamFormat.OPENAI_CHAT, "openai", "gpt-4o-mini",
                        TokenUsage.builder().inputTokens(19).outputTokens(18).build(), "stop", -1, 0),
                load("openai-chat-no-usage.sse", StreamFormat.OPENAI_CHAT, "openai", "gpt-4o-mini", null, "stop", -1, 0),
                load("openai-responses.sse", StreamFormat.OPENAI_RESPONSES, "openai", "gpt-4.1",
                        TokenUsage.of(37, 14), "completed", -1, 0),
                load("anthropic.sse", StreamFormat.ANTHROPIC, "anthropic", "claude-sonnet-4-5",
                        TokenUsage.builder().inputTokens(1225).cacheReadTokens(1200).outputTokens(27).build(),
                        "end_turn", 1225, 1200),
                load("gemini.sse", StreamFormat.GEMINI, "google", "gemini-2.0-flash", TokenUsage.of(8, 16), "STOP", 8, 0),
                load("bedrock-converse.sse", StreamFormat.BEDROCK_CONVERSE, "aws", "amazon.nova-lite-v1:0",
                        TokenUsage.of(30, 9), "end_turn", -1, 0));
    }

    /** The transcript with this resource name. */
    public static Transcript named(String name) {
        return all().stream().filter(t -> t.name.equals(name)).findFirst().orElseThrow();
    }

    private static Transcript load(String name, StreamFormat format, String provider, String model, TokenUsage reported,
                                   String finish, long partialInput, long partialCacheRead) {
        byte[] bytes;
        try (InputStream in = Transcript.class.getResourceAsStream("/io/llmstore/core/stream/" + name)) {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        String sep = text.contains("\r\n") ? "\r\n\r\n" : "\n\n";
        List<Integer> ends = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        int finalUsage = -1;
        int partialFrom = -1;
        int pos = 0;
        int i = 0;
        for (String block : text.split(sep)) {
            pos += block.getBytes(StandardCharsets.UTF_8).length + sep.length();
            // With CRLF the blank line's CR already closes the event (a lone CR ends a line in SSE).
            ends.add(sep.length() == 4 ? pos - 1 : pos);
            String type = null;
            String data = null;
            for (String line : block.split("\r?\n")) {
                if (line.startsWith("event: ")) {
                    type = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data = line.substring(6);
                }
            }
            JsonNode n = data == null || data.equals("[DONE]") ? MAPPER.nullNode() : read(data);
            texts.add(textOf(format, type, n));
            boolean usage = switch (format) {
                case OPENAI_CHAT -> n.path("usage").isObject();
                case OPENAI_RESPONSES -> "response.completed".equals(type);
                case ANTHROPIC -> "message_delta".equals(type);
                case GEMINI -> n.path("candidates").path(0).has("finishReason");
                case BEDROCK_CONVERSE -> "metadata".equals(type);
            };
            if (usage && reported != null) {
                finalUsage = i;
            }
            boolean partial = format == StreamFormat.ANTHROPIC ? "message_start".equals(type)
                    : format == StreamFormat.GEMINI && n.has("usageMetadata");
            if (partial && partialFrom < 0) {
                partialFrom = i;
            }
            i++;
        }
        return new Transcript(name, format, provider, model, bytes, reported, finish, List.copyOf(ends), List.copyOf(texts),
                finalUsage, partialInput, partialCacheRead, partialFrom);
    }

    private static JsonNode read(String data) {
        try {
            return MAPPER.readTree(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String textOf(StreamFormat format, String type, JsonNode n) {
        return switch (format) {
            case OPENAI_CHAT -> n.path("choices").path(0).path("delta").path("content").asText("");
            case OPENAI_RESPONSES -> "response.output_text.delta".equals(type) ? n.path("delta").asText("") : "";
            case ANTHROPIC -> "content_block_delta".equals(type) ? n.path("delta").path("text").asText("") : "";
            case GEMINI -> n.path("candidates").path(0).path("content").path("parts").path(0).path("text").asText("");
            case BEDROCK_CONVERSE -> "contentBlockDelta".equals(type) ? n.path("delta").path("text").asText("") : "";
        };
    }

    /** The call of a replay, with the prompt and optionally a reservation. */
    public StreamCall.Builder call() {
        return StreamCall.builder(provider, model, format).prompt(PROMPT);
    }

    /** Output text of the events complete within the first {@code cut} bytes. */
    public String textBefore(int cut) {
        StringBuilder sb = new StringBuilder();
        for (int e = 0; e < eventEnds.size(); e++) {
            if (eventEnds.get(e) <= cut) {
                sb.append(eventText.get(e));
            }
        }
        return sb.toString();
    }

    /** All output text. */
    public String text() {
        return textBefore(bytes.length);
    }

    /** True when the first {@code cut} bytes hold the event that makes the usage final. */
    public boolean usageFinalWithin(int cut) {
        return finalUsageEvent >= 0 && eventEnds.get(finalUsageEvent) <= cut;
    }

    /** True when the first {@code cut} bytes hold a partial input report. */
    public boolean partialInputWithin(int cut) {
        return partialFrom >= 0 && eventEnds.get(partialFrom) <= cut;
    }

    /** The documented estimate of {@code text}: code points / 4, rounded up. */
    public static long estimate(String text) {
        return (text.codePoints().count() + 3) / 4;
    }

    @Override
    public String toString() {
        return name;
    }
}
