package io.llmstore.core.gateway;

import java.util.List;
import java.util.Objects;

/**
 * A model to register with {@link Models#register}: {@code new ModelSpec("openai", "gpt-4o", List.of("4o"), 128_000)}.
 * Names and aliases are 1..200 characters, unique across every model's names and aliases (ignoring case).
 *
 * @param provider      the name of a registered provider
 * @param name          the model's name
 * @param aliases       other names
 * @param contextWindow > 0, or null when unknown
 */
public record ModelSpec(String provider, String name, List<String> aliases, Integer contextWindow) {
    public ModelSpec {
        checkName("provider", provider);
        checkName("name", name);
        aliases = List.copyOf(Objects.requireNonNull(aliases, "aliases"));
        for (int i = 0; i < aliases.size(); i++) {
            checkName("aliases[" + i + "]", aliases.get(i));
        }
        if (contextWindow != null && contextWindow <= 0) {
            throw new IllegalArgumentException("contextWindow must be > 0 or null, was " + contextWindow);
        }
    }

    static void checkName(String field, String value) {
        if (value == null || value.isBlank() || value.length() > 200) {
            throw new IllegalArgumentException(field + " must be 1..200 characters and not blank, was "
                    + (value == null ? "null" : "'" + (value.length() > 40 ? value.substring(0, 40) + "..." : value) + "'"));
        }
    }
}
