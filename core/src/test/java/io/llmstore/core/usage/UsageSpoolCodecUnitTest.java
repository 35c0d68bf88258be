package io.llmstore.core.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The spool's binary form of a usage row reads back equal to the row, hostile text and exact costs included. */
class UsageSpoolCodecUnitTest {
    private final UsageSpoolCodec codec = UsageSpoolCodec.INSTANCE;

    @Test
    void everyFieldReadsBackExactly() {
        UsageMetric full = UsageMetric.builder().time(Instant.parse("2026-12-02T06:30:00.123456Z"))
                .model("gpt-4o ✓").provider("openai").tokens(1200, 350).cacheTokens(1000L, 7L).reasoningTokens(3L)
                .costUsd(new BigDecimal("0.000000000000000001")).latencyMs(812.25).errors(1).requests(2)
                .user("u-💥-42").application("chat").environment("prod")
                .metadata("{\"route\": \"support\", \"note\": \"\\u0000 ; DROP TABLE x; 日本語\"}")
                .usageSource(UsageSource.ESTIMATED).timeToFirstTokenMs(91.5).finishReason("length")
                .costSavedUsd(new BigDecimal("9999999999.999999999999999999")).build();
        UsageMetric minimal = UsageMetric.builder().time(Instant.parse("0001-01-01T00:00:00Z")).model("m").provider("p")
                .build();
        for (UsageMetric m : new UsageMetric[] {full, minimal}) {
            UsageMetric back = codec.decode(codec.encode(m));
            assertThat(back).isEqualTo(m);
            assertThat(back.costUsd() == null ? null : back.costUsd().scale())
                    .isEqualTo(m.costUsd() == null ? null : m.costUsd().scale());
        }
        assertThat(codec.encode(minimal).length).as("compact").isLessThan(150);
    }

    @Test
    void bytesThatAreNotAUsageRowAreRefusedNamingTheProblem() {
        byte[] good = codec.encode(UsageMetric.builder().time(Instant.now()).model("m").provider("p").build());
        assertThatThrownBy(() -> codec.decode(Arrays.copyOf(good, good.length - 5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("usage spool record");
        byte[] other = good.clone();
        other[0] = 9;
        assertThatThrownBy(() -> codec.decode(other)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("format must be 1, was 9");
    }
}
