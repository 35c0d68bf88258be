package io.llmstore.core.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmstore.core.price.TokenUsage;
import io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The GenAI mapping: its names are the published semantic conventions', and a span survives the round trip. */
class GenAiAttributesUnitTest {
    @Test
    void everyGenAiNameIsThePublishedSemanticConventionsKey() {
        assertThat(GenAiAttributes.OPERATION_NAME).isEqualTo(GenAiIncubatingAttributes.GEN_AI_OPERATION_NAME.getKey());
        assertThat(GenAiAttributes.PROVIDER_NAME).isEqualTo(GenAiIncubatingAttributes.GEN_AI_PROVIDER_NAME.getKey());
        assertThat(GenAiAttributes.REQUEST_MODEL).isEqualTo(GenAiIncubatingAttributes.GEN_AI_REQUEST_MODEL.getKey());
        assertThat(GenAiAttributes.RESPONSE_MODEL).isEqualTo(GenAiIncubatingAttributes.GEN_AI_RESPONSE_MODEL.getKey());
        assertThat(GenAiAttributes.RESPONSE_ID).isEqualTo(GenAiIncubatingAttributes.GEN_AI_RESPONSE_ID.getKey());
        assertThat(GenAiAttributes.RESPONSE_FINISH_REASONS)
                .isEqualTo(GenAiIncubatingAttributes.GEN_AI_RESPONSE_FINISH_REASONS.getKey());
        assertThat(GenAiAttributes.USAGE_INPUT_TOKENS).isEqualTo(GenAiIncubatingAttributes.GEN_AI_USAGE_INPUT_TOKENS.getKey());
        assertThat(GenAiAttributes.USAGE_OUTPUT_TOKENS).isEqualTo(GenAiIncubatingAttributes.GEN_AI_USAGE_OUTPUT_TOKENS.getKey());
        assertThat(GenAiAttributes.USAGE_CACHE_READ_INPUT_TOKENS)
                .isEqualTo(GenAiIncubatingAttributes.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS.getKey());
        assertThat(GenAiAttributes.USAGE_CACHE_CREATION_INPUT_TOKENS)
                .isEqualTo(GenAiIncubatingAttributes.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS.getKey());
        assertThat(GenAiAttributes.USAGE_REASONING_OUTPUT_TOKENS)
                .isEqualTo(GenAiIncubatingAttributes.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS.getKey());
        assertThat(GenAiAttributes.CONVERSATION_ID).isEqualTo(GenAiIncubatingAttributes.GEN_AI_CONVERSATION_ID.getKey());
        // The operation names are the artifact's constants, inlined: the published values.
        assertThat(List.of(GenAiAttributes.OPERATION_CHAT, GenAiAttributes.OPERATION_TEXT_COMPLETION,
                GenAiAttributes.OPERATION_EMBEDDINGS, GenAiAttributes.OPERATION_EXECUTE_TOOL))
                .containsExactly("chat", "text_completion", "embeddings", "execute_tool");
    }

    private static LlmSpan full() {
        return LlmSpan.builder().traceId("4bf92f3577b34da6a3ce929d0e0e4736").spanId("00f067aa0ba902b7")
                .parentSpanId("a3ce929d0e0e4736").name("chat gpt-4o").operation(LlmSpan.CHAT).provider("openai")
                .requestModel("gpt-4o").responseModel("gpt-4o-2024-08-06").responseId("chatcmpl-1")
                .input("Hi").output("Hello").finishReasons(List.of("stop"))
                .usage(TokenUsage.builder().inputTokens(100).cacheReadTokens(20).cacheWriteTokens(5).outputTokens(30)
                        .outputReasoningTokens(7).build())
                .cost(new BigDecimal("0.00123"), "llm-prices@1").startTime(Instant.parse("2026-01-02T03:04:05.123456Z"))
                .endTime(Instant.parse("2026-01-02T03:04:06Z")).error("rate limited").conversationId("conv-1")
                .userId("user-1").attribute("server.address", "api.openai.com").build();
    }

    @Test
    void aSpanSurvivesTheRoundTripThroughItsAttributes() {
        LlmSpan span = full();
        Map<String, Object> a = span.attributes();
        assertThat(a).containsEntry("gen_ai.operation.name", "chat").containsEntry("gen_ai.provider.name", "openai")
                .containsEntry("gen_ai.usage.input_tokens", 100L).containsEntry("gen_ai.usage.output_tokens", 30L)
                .containsEntry("gen_ai.usage.cache_read.input_tokens", 20L)
                .containsEntry("gen_ai.usage.cache_creation.input_tokens", 5L)
                .containsEntry("gen_ai.response.finish_reasons", List.of("stop"))
                .containsEntry("gen_ai.conversation.id", "conv-1").containsEntry("server.address", "api.openai.com");
        assertThat(LlmSpan.fromAttributes(a)).isEqualTo(span);
        LlmSpan bare = LlmSpan.builder().traceId("t").spanId("s").name("n").operation("embeddings")
                .startTime(Instant.EPOCH).endTime(Instant.EPOCH).build();
        assertThat(LlmSpan.fromAttributes(bare.attributes())).isEqualTo(bare);
    }

    @Test
    void attributesOfAnOpenTelemetrySpanFillTheFieldsAndKeepTheRest() {
        Map<String, Object> otel = new HashMap<>();
        otel.put("gen_ai.operation.name", "chat");
        otel.put("gen_ai.request.model", "claude-sonnet-4-5");
        otel.put("gen_ai.usage.input_tokens", 12); // an Integer, as some SDKs give
        otel.put("gen_ai.usage.output_tokens", "3");
        otel.put("gen_ai.response.finish_reasons", List.of("end_turn"));
        otel.put("http.response.status_code", 200);
        LlmSpan s = GenAiAttributes.toBuilder(otel).traceId("t").spanId("s").name("chat claude")
                .startTime(Instant.EPOCH).endTime(Instant.EPOCH.plusMillis(5)).build();
        assertThat(s.usage()).isEqualTo(TokenUsage.of(12, 3));
        assertThat(s.requestModel()).isEqualTo("claude-sonnet-4-5");
        assertThat(s.extraAttributes()).containsExactly(Map.entry("http.response.status_code", "200"));
    }

    @Test
    void aKnownAttributeWithAWrongValueIsRefusedNamingIt() {
        assertThatThrownBy(() -> GenAiAttributes.toBuilder(Map.of("gen_ai.usage.input_tokens", "many")))
                .hasMessageContaining("gen_ai.usage.input_tokens must be a whole number, was \"many\"");
        assertThatThrownBy(() -> GenAiAttributes.toBuilder(Map.of("gen_ai.usage.output_tokens", -1L)))
                .hasMessageContaining("gen_ai.usage.output_tokens must be >= 0, was -1");
        assertThatThrownBy(() -> GenAiAttributes.toBuilder(Map.of("gen_ai.request.model", 42)))
                .hasMessageContaining("gen_ai.request.model must be a string");
        assertThatThrownBy(() -> GenAiAttributes.toBuilder(Map.of("llmstore.start_time", "yesterday")))
                .hasMessageContaining("llmstore.start_time must be an ISO-8601 instant");
        assertThatThrownBy(() -> LlmSpan.fromAttributes(Map.of("gen_ai.operation.name", "chat")))
                .hasMessageContaining("spanId is required");
    }
}
