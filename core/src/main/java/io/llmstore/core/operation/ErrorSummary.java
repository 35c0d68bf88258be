package io.llmstore.core.operation;

/**
 * One line of the error analysis: failed operations ({@link Operation#ERROR}) with the same message.
 *
 * @param provider     the provider
 * @param model        the model
 * @param errorMessage the message, or null for failures without one
 * @param errorCount   how many
 */
public record ErrorSummary(String provider, String model, String errorMessage, long errorCount) {
}
