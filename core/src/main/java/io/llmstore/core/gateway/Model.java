package io.llmstore.core.gateway;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A model the gateway routes to. Immutable.
 *
 * @param id              database id
 * @param providerId      database id of its provider
 * @param provider        the provider's name, e.g. {@code openai}
 * @param litellmProvider the provider's id in LiteLLM and in the price catalog, e.g. {@code openai}, {@code bedrock}
 * @param name            unique name, e.g. {@code gpt-4o}
 * @param aliases         other names it is found by (unique across models and names)
 * @param contextWindow   most tokens per request, or null when unknown
 */
public record Model(long id, long providerId, String provider, String litellmProvider, String name,
                    List<String> aliases, Integer contextWindow) {
    public Model {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(litellmProvider, "litellmProvider");
        Objects.requireNonNull(name, "name");
        aliases = List.copyOf(aliases);
    }

    /** True when {@code nameOrAlias} is this model's name or one of its aliases, ignoring case. */
    public boolean isCalled(String nameOrAlias) {
        String n = nameOrAlias.toLowerCase(Locale.ROOT);
        return name.toLowerCase(Locale.ROOT).equals(n)
                || aliases.stream().anyMatch(a -> a.toLowerCase(Locale.ROOT).equals(n));
    }
}
