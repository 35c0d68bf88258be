package io.llmstore.core.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmstore.core.price.TokenUsage;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The spool's binary form of a span reads back equal to the span: every field, nulls, 4-byte characters, huge values. */
class SpanSpoolCodecUnitTest {
    private final SpanSpoolCodec codec = SpanSpoolCodec.INSTANCE;

    static LlmSpan full() {
        LlmSpan.Builder b = LlmSpan.builder().spanId("s-💥-1").traceId("t-日本語-𝄞").parentSpanId("root")
                .name("chat gpt-4o ✓").operation(LlmSpan.CHAT).provider("openai").requestModel("gpt-4o")
                .responseModel("gpt-4o-2024-08-06").responseId("chatcmpl-9")
                .input("p".repeat(LlmSpan.MAX_TEXT_CHARS - 2) + "😀").output("{\"a\": \"; DROP TABLE x; \\n\"}")
                .finishReasons(List.of("stop", "length"))
                .usage(new TokenUsage(Long.MAX_VALUE, 5, 6, 1000, 7, 3, 8, 9, java.util.Map.of("web_searches",
                        new BigDecimal("12.600"), "audio_seconds", new BigDecimal("1E-30"))))
                .cost(new BigDecimal("123456789012345678901234567890.000000000000000000000001"), "dataset@1+override:x")
                .startTime(LlmSpan.MIN_TIME).endTime(LlmSpan.MAX_TIME).error("boom 💥")
                .conversationId("conv-1").userId("u-🙂");
        for (int i = 0; i < LlmSpan.MAX_ATTRIBUTES; i++) {
            b.attribute("app.k" + (LlmSpan.MAX_ATTRIBUTES - i), i == 0 ? "v".repeat(LlmSpan.MAX_ATTRIBUTE_VALUE_CHARS) : "𝄞" + i);
        }
        return b.build();
    }

    static LlmSpan minimal() {
        return LlmSpan.builder().spanId("s").traceId("t").name("n").operation("op")
                .startTime(Instant.parse("2026-12-02T06:30:00.123456Z")).endTime(Instant.parse("2026-12-02T06:30:00.123456Z"))
                .build();
    }

    @Test
    void everyFieldReadsBackExactlyIncludingNullsAndHugeValues() {
        for (LlmSpan s : List.of(full(), minimal())) {
            LlmSpan back = codec.decode(codec.encode(s));
            assertThat(back).isEqualTo(s);
            assertThat(back.attributes()).isEqualTo(s.attributes());
            assertThat(new ArrayList<>(back.extraAttributes().keySet())).as("attribute order")
                    .isEqualTo(new ArrayList<>(s.extraAttributes().keySet()));
            assertThat(back.costUsd() == null ? null : back.costUsd().scale())
                    .isEqualTo(s.costUsd() == null ? null : s.costUsd().scale());
        }
        LlmSpan withUsage = minimal().toBuilder().usage(TokenUsage.of(0, 0)).build();
        assertThat(codec.decode(codec.encode(withUsage))).isEqualTo(withUsage);
        assertThat(codec.encode(minimal()).length).as("compact").isLessThan(120);
    }

    @Test
    void bytesThatAreNotASpanAreRefusedNamingTheProblem() {
        byte[] good = codec.encode(full());
        for (int cut : new int[] {1, 5, 17, good.length / 2, good.length - 1}) {
            assertThatThrownBy(() -> codec.decode(Arrays.copyOf(good, cut)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("span spool record");
        }
        byte[] longer = Arrays.copyOf(good, good.length + 3);
        assertThatThrownBy(() -> codec.decode(longer)).hasMessageContaining("3 bytes past its end");
        byte[] other = good.clone();
        other[0] = 2;
        assertThatThrownBy(() -> codec.decode(other)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("span spool record format must be 1, was 2");
    }
}
