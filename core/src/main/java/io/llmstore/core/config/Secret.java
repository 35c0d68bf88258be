package io.llmstore.core.config;

import java.util.Objects;

/**
 * A secret value (password, credential-bearing URL) that never prints: {@link #toString()} is a mask.
 * Call {@link #reveal()} only at the point where a driver needs it.
 */
public final class Secret {
    private static final String MASK = "******";

    private final String value;

    private Secret(String value) {
        this.value = Objects.requireNonNull(value, "value");
    }

    /** Wraps a secret; null stays null so optional secrets read naturally. */
    public static Secret of(String value) {
        return value == null ? null : new Secret(value);
    }

    /** The secret itself, for the driver call that needs it. Never log it. */
    public String reveal() {
        return value;
    }

    public boolean isEmpty() {
        return value.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret other && other.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return MASK;
    }
}
