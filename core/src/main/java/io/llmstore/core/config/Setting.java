package io.llmstore.core.config;

import java.util.Objects;

/**
 * One configuration variable: its name (environment spelling), its default as written in docs/configuration.md
 * (null = no default), and what it means. Modules declare their own settings as constants and read them
 * through {@link Settings}, so every module shares one loader and one precedence order.
 *
 * @param name        the variable, e.g. {@code DB_POOL_MAX_CONNECTIONS}
 * @param defaultText the default as text, or null when the setting has none
 * @param description one line for the configuration reference
 * @param secret      true when the value must never print
 */
public record Setting(String name, String defaultText, String description, boolean secret) {
    public Setting {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        if (!name.matches("[A-Z][A-Z0-9_]*")) {
            throw new IllegalArgumentException("setting name must be UPPER_SNAKE_CASE, was '" + name + "'");
        }
    }

    public static Setting of(String name, String defaultText, String description) {
        return new Setting(name, defaultText, description, false);
    }

    public static Setting secret(String name, String description) {
        return new Setting(name, null, description, true);
    }
}
