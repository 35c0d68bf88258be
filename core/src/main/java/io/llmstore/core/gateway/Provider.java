package io.llmstore.core.gateway;

import java.util.Objects;

/**
 * A model provider. Immutable.
 *
 * @param id              database id
 * @param name            unique name, e.g. {@code openai}
 * @param litellmProvider its id in LiteLLM and in the bundled price catalog (often the same as the name)
 */
public record Provider(long id, String name, String litellmProvider) {
    public Provider {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(litellmProvider, "litellmProvider");
    }
}
