package io.llmstore.core.cache;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;

/**
 * The response cache's key scheme, shared by every tier: {@code <prefix>llm:response:<model>:<sha256(prompt) hex>}.
 * Hashing bounds key length and keeps prompts (which may hold personal data) out of key listings.
 */
public final class PromptKeys {
    private PromptKeys() {
    }

    /** Lowercase hex SHA-256 of the prompt's UTF-8 bytes. */
    public static String sha256Hex(String prompt) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(prompt.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    /** {@code <prefix>llm:response:<model>:<sha256 hex>}. */
    public static String responseKey(String prefix, String model, String prompt) {
        return prefix + "llm:response:" + model + ":" + sha256Hex(prompt);
    }

    /**
     * Checks {@code model} and {@code prompt} as every implementation does: both must be well-formed UTF-16, because
     * a lone surrogate has no UTF-8 form ({@code getBytes(UTF_8)} writes '?'), so "say \uD800" and "say ?" would
     * otherwise share one key and each other's answer.
     */
    public static void check(String model, String prompt) {
        if (model == null || model.isBlank() || model.length() > 256) {
            throw new IllegalArgumentException("model must be 1..256 characters and not blank, was "
                    + (model == null ? "null" : "'" + model + "'"));
        }
        if (prompt == null) {
            throw new IllegalArgumentException("prompt must not be null");
        }
        requireWellFormed("model", model);
        requireWellFormed("prompt", prompt);
    }

    /**
     * Refuses text that UTF-8 cannot carry unchanged (an unpaired UTF-16 surrogate), naming the field, the character
     * and its index; such text would be stored or keyed as a different string than the caller gave.
     *
     * @throws IllegalArgumentException {@code "<field> must not contain an unpaired UTF-16 surrogate, found \uD800 at
     *                                  index 4"}
     */
    public static void requireWellFormed(String field, String value) {
        int unpaired = value == null ? -1 : unpairedSurrogate(value);
        if (unpaired >= 0) {
            throw new IllegalArgumentException(field + " must not contain an unpaired UTF-16 surrogate, found "
                    + String.format("\\u%04X", (int) value.charAt(unpaired)) + " at index " + unpaired);
        }
    }

    /** {@code value}'s UTF-8 bytes, after {@link #requireWellFormed} (so the bytes decode back to the same text). */
    public static byte[] utf8(String field, String value) {
        requireWellFormed(field, value);
        return value.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Index of the first UTF-16 surrogate that is not part of a high-low pair in {@code s}, or -1. Such a string
     * cannot be encoded as UTF-8.
     */
    public static int unpairedSurrogate(String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return i;
            }
            if (Character.isLowSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }

    /** Checks a TTL: positive, at least one millisecond. */
    public static void checkTtl(Duration ttl) {
        if (ttl == null || ttl.toMillis() < 1) {
            throw new IllegalArgumentException("ttl must be >= 1ms, was " + ttl);
        }
    }
}
