package io.llmstore.core.price;

import java.util.Optional;

/**
 * Usage read from a provider response.
 *
 * @param model the model named in the response, if any (for OpenAI the dated snapshot id, e.g.
 *        {@code gpt-4o-2024-08-06}; overrides follow it to its catalog model)
 * @param usage the usage, in {@link TokenUsage}'s counting convention
 * @param apiFlavor the dataset's API flavor whose extractor read it ({@code chat}, {@code responses}, ...)
 */
public record ExtractedUsage(Optional<String> model, TokenUsage usage, String apiFlavor) {
}
