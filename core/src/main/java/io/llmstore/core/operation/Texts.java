package io.llmstore.core.operation;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Checks shared by the operation records: text PostgreSQL stores verbatim, JSON objects copied once. */
final class Texts {
    private Texts() {
    }

    static String requireNotBlank(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " must not be blank, was " + (value == null ? "null" : "'" + value + "'"));
        }
        return requireStorable(field, value);
    }

    /**
     * {@code value} (may be null) when PostgreSQL can store it verbatim: {@code text} cannot hold U+0000, and a lone
     * UTF-16 surrogate has no UTF-8 form (the driver would store '?' in its place), so both are refused here, naming
     * the field and the position, rather than stored altered.
     */
    static String requireStorable(String field, String value) {
        if (value == null) {
            return null;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == 0) {
                throw new IllegalArgumentException(field + " must not contain U+0000 (PostgreSQL text cannot store it),"
                        + " found at index " + i);
            }
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException(field + " must be valid UTF-16 (a lone surrogate has no UTF-8 form),"
                        + " found U+" + Integer.toHexString(c).toUpperCase() + " alone at index " + i);
            }
        }
        return value;
    }

    static Map<String, Object> jsonObject(String field, Map<String, Object> value) {
        if (value == null) {
            throw new NullPointerException(field + " must not be null (use Map.of())");
        }
        // Insertion order kept (a LinkedHashMap), nulls allowed as JSON null, unmodifiable.
        return Collections.unmodifiableMap(new LinkedHashMap<>(value));
    }
}
