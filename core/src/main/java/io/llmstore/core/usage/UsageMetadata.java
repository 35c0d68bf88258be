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
            // Walk every name and string instead of skipping: jsonb rejects \u0000 and a lone surrogate (escaped or
            // raw) only at the server, failing the whole batch with an error that does not name the field.
            int depth = 1;
            while (depth > 0) {
                JsonToken t = parser.nextToken();
                if (t == null) {
                    throw new IllegalArgumentException("metadata must be valid JSON: it ends inside an object, was "
                            + preview(json));
                }
                if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                    depth++;
                } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                    depth--;
                } else if (t == JsonToken.FIELD_NAME || t == JsonToken.VALUE_STRING) {
                    requireStorable(parser.getText());
                }
            }
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

    private static void requireStorable(String text) {
        if (text.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("metadata must not contain \\u0000 (PostgreSQL jsonb cannot store it), found in "
                    + preview(text.replace("\0", "\\u0000")));
        }
        int unpaired = UsageMetric.unpairedSurrogate(text);
        if (unpaired >= 0) {
            throw new IllegalArgumentException("metadata must not contain an unpaired UTF-16 surrogate, found "
                    + String.format("\\u%04X", (int) text.charAt(unpaired)) + " in a name or string at index " + unpaired);
        }
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
