package io.llmstore.core.gateway;

import io.llmstore.core.config.Secret;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Turns a raw API key into the only form llmstore keeps: SHA-256 of its UTF-8 bytes, or HMAC-SHA-256 with a pepper
 * ({@code GATEWAY_API_KEY_PEPPER}) so a stolen table cannot be checked against guessed keys without the pepper too.
 * Hashes are 64 lower-case hex digits. Thread-safe; the pepper never appears in {@link #toString()}.
 */
public final class ApiKeyHasher {
    /** Shortest raw key accepted: shorter keys are guessable whatever the hash. */
    public static final int MIN_RAW_KEY_LENGTH = 16;
    private static final HexFormat HEX = HexFormat.of();

    private final Optional<Secret> pepper;
    private final ThreadLocal<Mac> macs;

    private ApiKeyHasher(Optional<Secret> pepper) {
        this.pepper = pepper;
        this.macs = pepper.map(p -> ThreadLocal.withInitial(() -> mac(p))).orElse(null);
    }

    /** Plain SHA-256. */
    public static ApiKeyHasher sha256() {
        return new ApiKeyHasher(Optional.empty());
    }

    /**
     * HMAC-SHA-256 keyed by {@code pepper}.
     *
     * @throws IllegalArgumentException when the pepper is empty
     */
    public static ApiKeyHasher hmac(Secret pepper) {
        Objects.requireNonNull(pepper, "pepper");
        if (pepper.isEmpty()) {
            throw new IllegalArgumentException("GATEWAY_API_KEY_PEPPER must not be empty");
        }
        return new ApiKeyHasher(Optional.of(pepper));
    }

    /** HMAC when a pepper is given, else SHA-256. */
    public static ApiKeyHasher of(Optional<Secret> pepper) {
        return pepper.map(ApiKeyHasher::hmac).orElseGet(ApiKeyHasher::sha256);
    }

    /**
     * The stored form of {@code rawKey}.
     *
     * @throws IllegalArgumentException when the key is shorter than {@link #MIN_RAW_KEY_LENGTH} or has a control
     *                                  character; the message gives the length, never the key
     */
    public String hash(String rawKey) {
        checkRaw(rawKey);
        byte[] bytes = rawKey.getBytes(StandardCharsets.UTF_8);
        if (macs != null) {
            return HEX.formatHex(macs.get().doFinal(bytes));
        }
        try {
            return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /**
     * True when {@code rawKey} hashes to {@code storedHash}, compared in constant time (the time does not depend on
     * how many leading digits match).
     */
    public boolean matches(String rawKey, String storedHash) {
        return equalHashes(hash(rawKey), storedHash);
    }

    /**
     * Constant-time comparison of two hashes: every character is compared whatever the first difference, so the
     * time says nothing about how much of a guess matched (only the lengths, which are public). Allocates nothing:
     * it runs on every cached lookup.
     */
    public static boolean equalHashes(String a, String b) {
        if (a.length() != b.length()) {
            return false;
        }
        int diff = 0;
        for (int i = 0; i < a.length(); i++) {
            diff |= a.charAt(i) ^ b.charAt(i);
        }
        return diff == 0;
    }

    /** True when a pepper is in use. */
    public boolean isPeppered() {
        return pepper.isPresent();
    }

    static void checkRaw(String rawKey) {
        if (rawKey == null) {
            throw new IllegalArgumentException("rawKey must not be null");
        }
        if (rawKey.length() < MIN_RAW_KEY_LENGTH) {
            throw new IllegalArgumentException("rawKey must be at least " + MIN_RAW_KEY_LENGTH + " characters, was "
                    + rawKey.length() + " characters");
        }
        for (int i = 0; i < rawKey.length(); i++) {
            if (Character.isISOControl(rawKey.charAt(i))) {
                throw new IllegalArgumentException("rawKey must not contain control characters, had one at index " + i);
            }
        }
    }

    private static Mac mac(Secret pepper) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(pepper.reveal().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }

    @Override
    public String toString() {
        return isPeppered() ? "ApiKeyHasher{HMAC-SHA-256, pepper=****}" : "ApiKeyHasher{SHA-256}";
    }
}
