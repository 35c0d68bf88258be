package io.llmstore.core.stream;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmstore.core.price.TokenUsage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One streamed call being recorded. Feed it what passes through, in one of three ways, and end it once:
 * <ul>
 * <li>{@link #onBytes(byte[], int, int)}: the raw server-sent-event bytes as they arrive, cut anywhere (a proxy or
 *     an HTTP client's body chunks);</li>
 * <li>{@link #onEvent(String)} / {@link #onEvent(String, String)}: one event's JSON payload (an SDK's raw events,
 *     Bedrock's decoded ConverseStream events);</li>
 * <li>{@link #onText}, {@link #onUsage}, {@link #onFinishReason}: what a framework hands out (Spring AI's
 *     {@code ChatResponse}, LangChain4j's handler callbacks).</li>
 * </ul>
 * Nothing of the stream is kept: the recorder counts streamed characters, remembers where usage arrived and the
 * finish reason, and holds at most one partial SSE line (unless the call is cached, which keeps the completed
 * stream to store it).
 *
 * <p><b>Exactly one row.</b> The first end wins: the provider's end event ({@code [DONE]}, {@code message_stop},
 * {@code response.completed}, Bedrock's {@code metadata}) ends it by itself; else {@link #complete()},
 * {@link #cancel()}, {@link #fail(Throwable)}, {@link #close()}, the recorder's idle timeout, or its shutdown. Later
 * ends and chunks are ignored. The row is written, and the reservation settled, on the thread that ends it; none of
 * these methods throws because of the writer or the limiter (failures are logged and counted).
 *
 * <p>Thread-safe: chunks are fed from one thread, an end may come from any.
 */
public final class RecordedStream implements AutoCloseable {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);

    private final StreamRecorder recorder;
    private final StreamCall call;
    private final StreamFormat format;
    private final Instant start;
    private final TokenCounter counter; // null = the default rule over code points
    volatile long lastActivityMillis;

    // SSE parsing: the current line and the current event's data, both reused.
    private byte[] line = new byte[256];
    private int lineLen;
    private boolean skipLf;
    private byte[] data = new byte[512];
    private int dataLen;
    private boolean hasData;
    private String eventType;

    // What the stream said so far.
    private long outputCodePoints;
    private long outputCounted;
    private Instant firstOutput;
    private String finishReason;
    private boolean providerEnd;      // its end event arrived
    private boolean providerFinished; // a finish reason that ends the call (Gemini, frameworks)
    private boolean providerError;
    private JsonNode finalUsageBody;  // a body the catalog's extractors read
    private JsonNode partialUsageBody;
    private TokenUsage givenUsage;    // onUsage
    private ObjectNode anthropicUsage;
    private boolean anthropicFinal;
    private String anthropicModel;
    private long malformedEvents;

    // Kept only for a cached call.
    private ByteArrayOutputStream capturedBytes;
    private List<CachedStream.Event> capturedEvents;
    private long capturedSize;
    private boolean captureOverflow;

    private StreamResult result; // guarded by this; non-null once ended

    RecordedStream(StreamRecorder recorder, StreamCall call, Instant start, TokenCounter counter, boolean capture) {
        this.recorder = recorder;
        this.call = call;
        this.format = call.format();
        this.start = start;
        this.counter = counter;
        this.lastActivityMillis = recorder.nowMillis();
        if (capture) {
            capturedBytes = new ByteArrayOutputStream();
            capturedEvents = new ArrayList<>();
        }
    }

    /** The call this stream records. */
    public StreamCall call() {
        return call;
    }

    /** When the stream was opened (the row's time). */
    public Instant start() {
        return start;
    }

    /** Server-sent-event bytes as they arrive; see {@link #onBytes(byte[], int, int)}. */
    public void onBytes(byte[] bytes) {
        onBytes(bytes, 0, bytes.length);
    }

    /**
     * Server-sent-event bytes as they arrive, split anywhere (inside a line, inside a UTF-8 character). Complete
     * events are read as they close (a blank line); an event still open when the stream ends is not counted.
     */
    public synchronized void onBytes(byte[] bytes, int offset, int length) {
        if (result != null) {
            return;
        }
        lastActivityMillis = recorder.nowMillis();
        if (capturedBytes != null && capture(length)) {
            capturedBytes.write(bytes, offset, length);
        }
        int end = offset + length;
        int i = offset;
        while (i < end && result == null) {
            if (skipLf) {
                skipLf = false;
                if (bytes[i] == '\n') {
                    i++;
                    continue;
                }
            }
            int j = i;
            while (j < end && bytes[j] != '\n' && bytes[j] != '\r') {
                j++;
            }
            int n = j - i;
            if (n > 0) {
                if (lineLen + n > line.length) {
                    line = java.util.Arrays.copyOf(line, Math.max(line.length * 2, lineLen + n));
                }
                System.arraycopy(bytes, i, line, lineLen, n);
                lineLen += n;
            }
            if (j == end) {
                break;
            }
            skipLf = bytes[j] == '\r';
            endOfLine();
            i = j + 1;
        }
    }

    /** One event's JSON payload (the text after {@code data: }), without an event type. */
    public void onEvent(String json) {
        onEvent(null, json);
    }

    /**
     * One event: its type (SSE {@code event:}, Bedrock's event type; null when the payload says it) and its JSON
     * payload. {@code [DONE]} is OpenAI's end marker. A payload that is not JSON is counted and ignored.
     */
    public synchronized void onEvent(String type, String json) {
        if (result != null || json == null) {
            return;
        }
        lastActivityMillis = recorder.nowMillis();
        if (capturedEvents != null && capture(json.length())) {
            capturedEvents.add(new CachedStream.Event(type, json));
        }
        if (json.equals("[DONE]")) {
            providerEnd = true;
        } else {
            try (JsonParser p = MAPPER.createParser(json)) {
                read(type, p);
            } catch (IOException | RuntimeException e) {
                malformedEvents++;
            }
        }
        endIfProviderEnded();
    }

    /** Output text as a framework hands it out (a partial response); counted for the estimate and the first token. */
    public synchronized void onText(CharSequence text) {
        if (result != null || text == null) {
            return;
        }
        lastActivityMillis = recorder.nowMillis();
        output(text);
    }

    /** The provider's usage as a framework reports it (final usage); the row then carries it as reported. */
    public synchronized void onUsage(TokenUsage usage) {
        if (result == null && usage != null) {
            lastActivityMillis = recorder.nowMillis();
            givenUsage = usage;
        }
    }

    /** The provider's finish reason as a framework reports it; the call counts as finished by the provider. */
    public synchronized void onFinishReason(String reason) {
        if (result == null && reason != null) {
            finishReason = reason;
            providerFinished = true;
        }
    }

    /**
     * The upstream ended normally (end of body, a framework's completion). The row is the provider's when its end,
     * final usage or finish reason arrived, else an {@link StreamEnd#INCOMPLETE} estimate.
     */
    public StreamResult complete() {
        return end(StreamEnd.INCOMPLETE);
    }

    /** The client went away or the application stopped the stream: an estimate unless the provider had finished. */
    public StreamResult cancel() {
        return end(StreamEnd.CANCELLED);
    }

    /** The stream failed (an I/O error, a timeout your code detected): an estimate unless the provider had finished. */
    public StreamResult fail(Throwable error) {
        return end(StreamEnd.ERROR);
    }

    /** Ends the stream if nothing else did: {@link StreamEnd#CLOSED_EARLY} unless the provider had finished. */
    @Override
    public void close() {
        end(StreamEnd.CLOSED_EARLY);
    }

    /** The result once the stream ended; empty while it is open. */
    public synchronized Optional<StreamResult> result() {
        return Optional.ofNullable(result);
    }

    /** True once the stream ended (its row was handed to the writer). */
    public synchronized boolean isEnded() {
        return result != null;
    }

    // ------------------------------------------------------------------ parsing

    private boolean capture(long more) {
        if (captureOverflow) {
            return false;
        }
        capturedSize += more;
        if (capturedSize > recorder.maxCachedBytes()) {
            captureOverflow = true;
            capturedBytes = null;
            capturedEvents = null;
            return false;
        }
        return true;
    }

    private void endOfLine() {
        int n = lineLen;
        lineLen = 0;
        if (n == 0) {
            dispatch();
            return;
        }
        byte[] l = line;
        if (l[0] == ':') {
            return; // comment (keep-alive)
        }
        int colon = 0;
        while (colon < n && l[colon] != ':') {
            colon++;
        }
        int v = colon + 1;
        if (v < n && l[v] == ' ') {
            v++;
        }
        int vlen = Math.max(0, n - v);
        if (colon == 4 && l[0] == 'd' && l[1] == 'a' && l[2] == 't' && l[3] == 'a') {
            int need = dataLen + vlen + 1;
            if (need > data.length) {
                data = java.util.Arrays.copyOf(data, Math.max(data.length * 2, need));
            }
            if (hasData) {
                data[dataLen++] = '\n';
            }
            System.arraycopy(l, v, data, dataLen, vlen);
            dataLen += vlen;
            hasData = true;
        } else if (colon == 5 && l[0] == 'e' && l[1] == 'v' && l[2] == 'e' && l[3] == 'n' && l[4] == 't') {
            eventType = new String(l, v, vlen, StandardCharsets.UTF_8);
        }
    }

    private void dispatch() {
        if (!hasData) {
            eventType = null;
            return;
        }
        String type = eventType;
        int n = dataLen;
        hasData = false;
        dataLen = 0;
        eventType = null;
        if (n == DONE.length && java.util.Arrays.equals(data, 0, n, DONE, 0, n)) {
            providerEnd = true;
        } else {
            try (JsonParser p = MAPPER.createParser(data, 0, n)) {
                read(type, p);
            } catch (IOException | RuntimeException e) {
                malformedEvents++;
            }
        }
        endIfProviderEnded();
    }

    private void endIfProviderEnded() {
        if (providerEnd && result == null) {
            end(StreamEnd.COMPLETED);
        }
    }

    // Events are read with Jackson's streaming parser, not as trees: only the few fields that matter are looked at
    // (text, finish reason), everything else is skipped, and only a usage object becomes a tree, for the catalog's
    // extractor. Measured: see bench "stream".
    private void read(String type, JsonParser p) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            malformedEvents++;
            return;
        }
        switch (format) {
            case OPENAI_CHAT -> openAiChat(p);
            case OPENAI_RESPONSES -> openAiResponses(p);
            case ANTHROPIC -> anthropic(p);
            case GEMINI -> gemini(p);
            case BEDROCK_CONVERSE -> bedrock(type, p.readValueAsTree());
        }
    }

    private void openAiChat(JsonParser p) throws IOException {
        String model = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            JsonToken v = p.nextToken();
            switch (f) {
                case "choices" -> {
                    if (v == JsonToken.START_ARRAY) {
                        while (p.nextToken() == JsonToken.START_OBJECT) {
                            chatChoice(p);
                        }
                    } else {
                        p.skipChildren();
                    }
                }
                case "usage" -> {
                    if (v == JsonToken.START_OBJECT) {
                        ObjectNode body = MAPPER.createObjectNode().put("object", "chat.completion.chunk");
                        body.set("usage", p.readValueAsTree());
                        finalUsageBody = body;
                    } else {
                        p.skipChildren();
                    }
                }
                case "model" -> {
                    if (v == JsonToken.VALUE_STRING) {
                        model = p.getText();
                    } else {
                        p.skipChildren();
                    }
                }
                case "error" -> {
                    p.skipChildren();
                    providerError = true;
                    providerEnd = true;
                }
                default -> p.skipChildren();
            }
        }
        if (model != null && finalUsageBody instanceof ObjectNode body && !body.has("model")) {
            body.put("model", model);
        }
    }

    private void chatChoice(JsonParser p) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            JsonToken v = p.nextToken();
            if (f.equals("delta") && v == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String d = p.currentName();
                    JsonToken dv = p.nextToken();
                    if (dv == JsonToken.VALUE_STRING
                            && (d.equals("content") || d.equals("reasoning_content") || d.equals("refusal"))) {
                        text(p);
                    } else if (d.equals("tool_calls") && dv == JsonToken.START_ARRAY) {
                        while (p.nextToken() == JsonToken.START_OBJECT) {
                            textAt(p, "function", "arguments");
                        }
                    } else {
                        p.skipChildren();
                    }
                }
            } else if (f.equals("finish_reason") && v == JsonToken.VALUE_STRING) {
                finishReason = p.getText();
            } else {
                p.skipChildren();
            }
        }
    }

    /** Inside an object: counts the string at {@code outer.inner}, skips the rest, consumes the object. */
    private void textAt(JsonParser p, String outer, String inner) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            JsonToken v = p.nextToken();
            if (f.equals(outer) && v == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String g = p.currentName();
                    if (p.nextToken() == JsonToken.VALUE_STRING && g.equals(inner)) {
                        text(p);
                    } else {
                        p.skipChildren();
                    }
                }
            } else {
                p.skipChildren();
            }
        }
    }

    private void openAiResponses(JsonParser p) throws IOException {
        String type = null;
        String delta = null;
        JsonNode response = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            JsonToken v = p.nextToken();
            if (f.equals("type") && v == JsonToken.VALUE_STRING) {
                type = p.getText();
            } else if (f.equals("delta") && v == JsonToken.VALUE_STRING) {
                delta = p.getText();
            } else if (f.equals("response") && v == JsonToken.START_OBJECT
                    && (type == null || type.equals("response.completed") || type.equals("response.incomplete")
                        || type.equals("response.failed"))) {
                response = p.readValueAsTree();
            } else {
                p.skipChildren();
            }
        }
        if (type == null) {
            return;
        }
        switch (type) {
            case "response.output_text.delta", "response.refusal.delta", "response.reasoning_summary_text.delta",
                 "response.reasoning_text.delta", "response.function_call_arguments.delta" -> {
                if (delta != null) {
                    output(delta);
                }
            }
            case "response.completed", "response.incomplete", "response.failed" -> {
                JsonNode r = response == null ? MAPPER.missingNode() : response;
                if (r.path("usage").isObject()) {
                    finalUsageBody = MAPPER.createObjectNode().put("type", type).set("response", r);
                }
                String status = r.path("status").asText(type.substring("response.".length()));
                JsonNode reason = r.path("incomplete_details").path("reason");
                finishReason = reason.isTextual() ? reason.asText() : status;
                providerError = type.equals("response.failed");
                providerEnd = true;
            }
            case "error" -> {
                providerError = true;
                providerEnd = true;
            }
            default -> {
            }
        }
    }

    private void anthropic(JsonParser p) throws IOException {
        String type = null;
        String text = null;
        String stop = null;
        JsonNode message = null;
        JsonNode usage = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            JsonToken v = p.nextToken();
            if (f.equals("type") && v == JsonToken.VALUE_STRING) {
                type = p.getText();
            } else if (f.equals("delta") && v == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String d = p.currentName();
                    if (p.nextToken() == JsonToken.VALUE_STRING) {
                        switch (d) {
                            case "text", "thinking", "partial_json" -> text = p.getText();
                            case "stop_reason" -> stop = p.getText();
                            default -> {
                            }
                        }
                    } else {
                        p.skipChildren();
                    }
                }
            } else if (f.equals("message") && v == JsonToken.START_OBJECT) {
                message = p.readValueAsTree();
            } else if (f.equals("usage") && v == JsonToken.START_OBJECT) {
                usage = p.readValueAsTree();
            } else {
                p.skipChildren();
            }
        }
        if (type == null) {
            return;
        }
        switch (type) {
            case "content_block_delta" -> {
                if (text != null) {
                    output(text);
                }
            }
            case "message_start" -> {
                if (message != null) {
                    anthropicModel = message.path("model").isTextual() ? message.path("model").asText() : null;
                    if (message.path("usage").isObject()) {
                        anthropicUsage = (ObjectNode) message.get("usage");
                    }
                }
            }
            case "message_delta" -> {
                if (stop != null) {
                    finishReason = stop;
                }
                if (usage != null) {
                    // Cumulative: each field the delta carries replaces message_start's.
                    if (anthropicUsage == null) {
                        anthropicUsage = MAPPER.createObjectNode();
                    }
                    Iterator<Map.Entry<String, JsonNode>> fields = usage.fields();
                    while (fields.hasNext()) {
                        Map.Entry<String, JsonNode> e = fields.next();
                        if (!e.getValue().isNull()) {
                            anthropicUsage.set(e.getKey(), e.getValue());
                        }
                    }
                    anthropicFinal = true;
                }
            }
            case "message_stop" -> providerEnd = true;
            case "error" -> {
                providerError = true;
                providerEnd = true;
            }
            default -> {
            }
        }
    }

    private void gemini(JsonParser p) throws IOException {
        JsonNode usage = null;
        String model = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            JsonToken v = p.nextToken();
            if (f.equals("candidates") && v == JsonToken.START_ARRAY) {
                while (p.nextToken() == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String c = p.currentName();
                        JsonToken cv = p.nextToken();
                        if (c.equals("content") && cv == JsonToken.START_OBJECT) {
                            while (p.nextToken() == JsonToken.FIELD_NAME) {
                                String part = p.currentName();
                                if (p.nextToken() == JsonToken.START_ARRAY && part.equals("parts")) {
                                    while (p.nextToken() == JsonToken.START_OBJECT) {
                                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                                            String k = p.currentName();
                                            if (p.nextToken() == JsonToken.VALUE_STRING && k.equals("text")) {
                                                text(p);
                                            } else {
                                                p.skipChildren();
                                            }
                                        }
                                    }
                                } else {
                                    p.skipChildren();
                                }
                            }
                        } else if (c.equals("finishReason") && cv == JsonToken.VALUE_STRING) {
                            finishReason = p.getText();
                            providerFinished = true;
                        } else {
                            p.skipChildren();
                        }
                    }
                }
            } else if (f.equals("usageMetadata") && v == JsonToken.START_OBJECT) {
                usage = p.readValueAsTree();
            } else if (f.equals("modelVersion") && v == JsonToken.VALUE_STRING) {
                model = p.getText();
            } else {
                p.skipChildren();
            }
        }
        if (usage != null) {
            ObjectNode body = MAPPER.createObjectNode();
            body.set("usageMetadata", usage);
            if (model != null) {
                body.put("modelVersion", model);
            }
            if (providerFinished) {
                finalUsageBody = body;
            } else {
                partialUsageBody = body;
            }
        }
    }

    /** Counts the current string token without making a String of it (unless a custom counter needs one). */
    private void text(JsonParser p) throws IOException {
        int len = p.getTextLength();
        if (len == 0) {
            return;
        }
        if (counter == null) {
            if (firstOutput == null) {
                firstOutput = recorder.now();
            }
            outputCodePoints += Character.codePointCount(p.getTextCharacters(), p.getTextOffset(), len);
        } else {
            output(p.getText());
        }
    }

    private void bedrock(String type, JsonNode n) {
        if (n == null || !n.isObject()) {
            malformedEvents++;
            return;
        }
        JsonNode payload = n;
        if (type == null) {
            Iterator<String> names = n.fieldNames();
            if (!names.hasNext()) {
                return;
            }
            type = names.next();
            payload = n.get(type);
        }
        switch (type) {
            case "contentBlockDelta" -> {
                JsonNode d = payload.path("delta");
                text(d.get("text"));
                text(d.path("toolUse").get("input"));
                text(d.path("reasoningContent").get("text"));
            }
            case "messageStop" -> {
                JsonNode r = payload.path("stopReason");
                if (r.isTextual()) {
                    finishReason = r.asText();
                }
            }
            case "metadata" -> {
                if (payload.path("usage").isObject()) {
                    finalUsageBody = payload;
                }
                providerEnd = true;
            }
            case "internalServerException", "modelStreamErrorException", "validationException",
                 "throttlingException", "serviceUnavailableException" -> {
                providerError = true;
                providerEnd = true;
            }
            default -> {
            }
        }
    }

    private void text(JsonNode t) {
        if (t != null && t.isTextual()) {
            String s = t.asText();
            if (!s.isEmpty()) {
                output(s);
            }
        }
    }

    private void output(CharSequence s) {
        if (s.length() == 0) {
            return;
        }
        if (firstOutput == null) {
            firstOutput = recorder.now();
        }
        if (counter == null) {
            outputCodePoints += s instanceof String str ? str.codePointCount(0, str.length())
                    : Character.codePointCount(s, 0, s.length());
        } else {
            outputCounted += counter.count(s);
        }
    }

    // ------------------------------------------------------------------ ending

    /** Ends the stream once; every later call returns the first result. */
    synchronized StreamResult end(StreamEnd how) {
        if (result != null) {
            return result;
        }
        Instant end = recorder.now();
        TokenUsage reported = reportedUsage();
        StreamEnd outcome;
        if (providerError) {
            outcome = StreamEnd.ERROR;
        } else if (providerEnd || providerFinished || reported != null) {
            outcome = StreamEnd.COMPLETED;
        } else {
            outcome = how;
        }
        TokenUsage usage;
        boolean estimated;
        if (reported != null) {
            usage = reported;
            estimated = false;
        } else {
            estimated = true;
            TokenUsage partial = partialUsage();
            long out = counter == null ? (outputCodePoints + 3) / 4 : outputCounted;
            usage = partial != null
                    ? TokenUsage.builder().inputTokens(partial.inputTokens()).cacheReadTokens(partial.cacheReadTokens())
                        .cacheWriteTokens(partial.cacheWriteTokens()).inputAudioTokens(partial.inputAudioTokens())
                        .outputTokens(out).build()
                    : TokenUsage.of(recorder.inputEstimate(call), out);
        }
        String reason = outcome == StreamEnd.COMPLETED && finishReason != null ? finishReason : outcome.value();
        Double ttft = firstOutput == null ? null : millis(Duration.between(start, firstOutput));
        result = recorder.finish(this, usage, estimated, outcome, reason, ttft, millis(Duration.between(start, end)),
                how == StreamEnd.SHUTDOWN);
        return result;
    }

    /** The cached form of this completed stream, or null when it was not captured (or too large). */
    CachedStream cached(TokenUsage usage, io.llmstore.core.usage.UsageSource source, String reason) {
        if (captureOverflow || capturedBytes == null) {
            return null;
        }
        return new CachedStream(format, capturedBytes.toByteArray(), capturedEvents, usage, source, reason);
    }

    long malformedEvents() {
        return malformedEvents;
    }

    private TokenUsage reportedUsage() {
        if (givenUsage != null) {
            return givenUsage;
        }
        if (finalUsageBody != null) {
            return recorder.extract(call, finalUsageBody);
        }
        if (anthropicFinal && anthropicUsage != null) {
            return recorder.extract(call, anthropicBody());
        }
        return null;
    }

    private TokenUsage partialUsage() {
        if (anthropicUsage != null) {
            return recorder.extract(call, anthropicBody());
        }
        return partialUsageBody == null ? null : recorder.extract(call, partialUsageBody);
    }

    private JsonNode anthropicBody() {
        ObjectNode body = MAPPER.createObjectNode().put("type", "message");
        if (anthropicModel != null) {
            body.put("model", anthropicModel);
        }
        if (!anthropicUsage.has("input_tokens")) {
            anthropicUsage.put("input_tokens", 0); // a message_delta alone: what it says is all we know
        }
        body.set("usage", anthropicUsage);
        return body;
    }

    private static double millis(Duration d) {
        return Math.max(0, d.toNanos()) / 1_000_000.0;
    }

    @Override
    public synchronized String toString() {
        return "RecordedStream{" + call.provider() + "/" + call.model() + " " + format + ", start=" + start
                + (result == null ? ", open" : ", " + result.end()) + "}";
    }
}
