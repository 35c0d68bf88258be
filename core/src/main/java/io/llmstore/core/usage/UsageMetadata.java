package io.llmstore.core.usage;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The rule for {@link UsageMetric#metadata()}: absent, or one JSON object of at most a configured number of UTF-8
 * bytes ({@code USAGE_METADATA_MAX_BYTES}). Writers check it at the boundary so a bad value fails the caller, not
 * a batch later.
 */
public final class UsageMetadata {
    private static final JsonFactory JSON = new JsonFactory();

    private UsageMetadata() {
    }

    /**
     * Returns {@code json} unchanged when it is null or a single JSON object within {@code maxBytes} UTF-8 bytes.
     *
     * @throws IllegalArgumentException naming {@code metadata} and the rule broken
     */
    public static String requireValid(String json, int maxBytes) {
        if (json == null) {
            return null;
        }
        int bytes = utf8Length(json);
        if (bytes > maxBytes) {
            throw new IllegalArgumentException("metadata must be at most " + maxBytes
                    + " bytes of UTF-8 (USAGE_METADATA_MAX_BYTES), was " + bytes);
        }
        try (JsonParser parser = JSON.createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("metadata must be a JSON object, was " + preview(json));
            }
            parser.skipChildren();
            if (parser.nextToken() != null) {
                throw new IllegalArgumentException("metadata must be a single JSON object, was " + preview(json));
            }
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("metadata must be valid JSON: " + e.getOriginalMessage()
                    + ", was " + preview(json), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("metadata must be valid JSON: " + e.getMessage()
                    + ", was " + preview(json), e);
        }
        return json;
    }

    private static int utf8Length(String s) {
        // Fast path without allocating: most metadata is ASCII.
        int n = s.length();
        for (int i = 0; i < n; i++) {
            if (s.charAt(i) >= 0x80) {
                return s.getBytes(StandardCharsets.UTF_8).length;
            }
        }
        return n;
    }

    private static String preview(String json) {
        return json.length() <= 60 ? "'" + json + "'" : "'" + json.substring(0, 60) + "...'";
    }
}
