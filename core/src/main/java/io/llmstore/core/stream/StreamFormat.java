package io.llmstore.core.stream;

/**
 * The wire format of a provider's stream, which says where its text, finish reason and usage arrive.
 * Each names the price-catalog provider whose usage extractor reads it when the call's own provider has none.
 */
public enum StreamFormat {
    /**
     * OpenAI Chat Completions ({@code chat.completion.chunk}; usage in the last chunk with
     * {@code stream_options.include_usage}, then {@code data: [DONE]}); also OpenAI-compatible APIs.
     */
    OPENAI_CHAT("openai", "chat"),
    /** OpenAI Responses API ({@code response.output_text.delta} ...; usage in {@code response.completed}). */
    OPENAI_RESPONSES("openai", "responses"),
    /** Anthropic Messages ({@code message_start} usage, cumulative {@code message_delta} usage, {@code message_stop}). */
    ANTHROPIC("anthropic", null),
    /** Gemini {@code streamGenerateContent?alt=sse} ({@code usageMetadata}, final with the {@code finishReason} chunk). */
    GEMINI("google", "default"),
    /**
     * Bedrock ConverseStream events ({@code contentBlockDelta}, {@code messageStop}, {@code metadata} with usage),
     * as the AWS SDK decodes them: {@code {"metadata": {...}}} or the event type and its payload.
     */
    BEDROCK_CONVERSE("aws", "default");

    private final String referenceProvider;
    private final String apiFlavor;

    StreamFormat(String referenceProvider, String apiFlavor) {
        this.referenceProvider = referenceProvider;
        this.apiFlavor = apiFlavor;
    }

    /** The catalog provider whose extractor reads this format when the call's provider has none. */
    String referenceProvider() {
        return referenceProvider;
    }

    /** The catalog API flavor for this format's usage, or null to detect it from the body. */
    String apiFlavor() {
        return apiFlavor;
    }
}
