package io.llmstore.core.internal;

/**
 * The rule for text PostgreSQL stores verbatim: any length and any Unicode, except U+0000 (a {@code text} value cannot
 * hold it) and unpaired surrogates (they are not Unicode; the driver would write {@code ?} in their place).
 */
public final class StorableText {
    private StorableText() {
    }

    /**
     * Returns {@code value} when it is stored verbatim, else throws naming {@code field}, the rule and where it broke.
     *
     * @throws IllegalArgumentException when null, empty (unless {@code mayBeEmpty}), or not storable
     */
    public static String require(String field, String value, boolean mayBeEmpty) {
        if (value == null) {
            throw new IllegalArgumentException(field + " must not be null");
        }
        if (!mayBeEmpty && value.isEmpty()) {
            throw new IllegalArgumentException(field + " must not be empty, was ''");
        }
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if (ch == 0) {
                throw new IllegalArgumentException(field + " must not contain U+0000 (PostgreSQL text cannot store it),"
                        + " found at index " + i);
            }
            if (Character.isHighSurrogate(ch) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(ch)) {
                throw new IllegalArgumentException(field + " must be valid Unicode: unpaired surrogate U+"
                        + Integer.toHexString(ch).toUpperCase() + " at index " + i);
            }
        }
        return value;
    }

    /** An identifier (user id, session id, document id): non-blank storable text of at most {@code maxLength} chars. */
    public static String requireId(String field, String value, int maxLength) {
        require(field, value, false);
        if (value.isBlank()) {
            throw new IllegalArgumentException(field + " must not be blank, was '" + value + "'");
        }
        if (value.length() > maxLength) {
            throw new IllegalArgumentException(field + " must be at most " + maxLength + " characters, was "
                    + value.length());
        }
        return value;
    }
}
