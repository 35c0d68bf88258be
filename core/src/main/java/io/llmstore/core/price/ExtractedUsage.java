package io.llmstore.core.price;

import java.util.Optional;

/**
 * Usage read from a provider response.
 *
 * @param model the model named in the response, if any
 * @param usage the usage, in {@link TokenUsage}'s counting convention
 */
public record ExtractedUsage(Optional<String> model, TokenUsage usage) {
}
