package io.llmstore.core.conversation;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Who said a message; stored as the lower-case name in {@code message_role}. */
public enum Role {
    SYSTEM, USER, ASSISTANT, TOOL;

    /** The stored form: {@code system}, {@code user}, {@code assistant}, {@code tool}. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The role named {@code text}, case-insensitive.
     *
     * @throws IllegalArgumentException naming {@code role}, the allowed values and the value
     */
    public static Role parse(String text) {
        for (Role r : values()) {
            if (r.name().equalsIgnoreCase(text)) {
                return r;
            }
        }
        throw new IllegalArgumentException("role must be one of " + Arrays.stream(values()).map(Role::wire)
                .collect(Collectors.joining(", ")) + ", was '" + text + "'");
    }
}
