package io.llmstore.timescale.trace;

import java.util.List;
import java.util.Map;

/**
 * JSON text of the two shapes a span stores as {@code jsonb}: an array of strings (finish reasons) and an object of
 * string values (extra attributes). Written by hand because the span flusher encodes every span on one thread,
 * and these two shapes need no general JSON writer's per-call machinery. Escapes {@code "}, the backslash and the control characters, as RFC 8259 requires; the span's rules already refused NUL and
 * lone surrogates. Stateless.
 */
final class JsonText {
    private JsonText() {
    }

    static String array(List<String> values) {
        StringBuilder b = new StringBuilder(16 * values.size() + 2).append('[');
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            string(b, values.get(i));
        }
        return b.append(']').toString();
    }

    static String object(Map<String, String> values) {
        StringBuilder b = new StringBuilder(32 * values.size() + 2).append('{');
        boolean first = true;
        for (Map.Entry<String, String> e : values.entrySet()) {
            if (!first) {
                b.append(',');
            }
            first = false;
            string(b, e.getKey());
            b.append(':');
            string(b, e.getValue());
        }
        return b.append('}').toString();
    }

    private static void string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
