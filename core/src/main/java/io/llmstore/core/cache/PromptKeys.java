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

    /** Checks {@code model} and {@code prompt} as every implementation does. */
    public static void check(String model, String prompt) {
        if (model == null || model.isBlank() || model.length() > 256) {
            throw new IllegalArgumentException("model must be 1..256 characters and not blank, was "
                    + (model == null ? "null" : "'" + model + "'"));
        }
        if (prompt == null) {
            throw new IllegalArgumentException("prompt must not be null");
        }
    }

    /** Checks a TTL: positive, at least one millisecond. */
    public static void checkTtl(Duration ttl) {
        if (ttl == null || ttl.toMillis() < 1) {
            throw new IllegalArgumentException("ttl must be >= 1ms, was " + ttl);
        }
    }
}
