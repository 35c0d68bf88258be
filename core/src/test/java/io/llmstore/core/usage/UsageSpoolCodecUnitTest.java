package io.llmstore.core.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.UUID;
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
    void theBytesAreTheOnesFormatOneAlwaysWrote() {
        // Captured from the codec before it moved onto SpoolFields: a spool written by an earlier release must read.
        String full = "010a1b2c3d4e5f60718293a4b5c6d7e8f9000000006b0fbae8075bca000000000a6770742d346f20e29c93000000066f"
                + "70656e6169000000000000000200000000000004b0000000000000015e000000000000060e0100000012000101408962"
                + "00000000000000000000000001000000000000000100000009752df09f92a52d3432ffffffffffffffff000000077b22"
                + "61223a317d0100000000000003e80100000000000000070100000000000000030000000663616c6c657201014056e000"
                + "00000000000000066c656e6774680100000012000c204fce5e3e2502610fffffff";
        String minimal = "010a1b2c3d4e5f60718293a4b5c6d7e8f9000000006b0fbae800000000000000016d0000000170000000000000000100"
                + "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001"
                + "ffffffffffffffffffffffffffffffff000000ffffffffff00ffffffff00";
        UUID id = UUID.fromString("0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9");
        UsageMetric m = UsageMetric.builder().eventId(id).time(Instant.parse("2026-12-02T06:30:00.123456Z"))
                .model("gpt-4o ✓").provider("openai").tokens(1200, 350).cacheTokens(1000L, 7L).reasoningTokens(3L)
                .costUsd(new BigDecimal("0.000000000000000001")).latencyMs(812.25).errors(1).requests(2)
                .user("u-💥-42").metadata("{\"a\":1}").usageSource(UsageSource.ESTIMATED).timeToFirstTokenMs(91.5)
                .finishReason("length").costSavedUsd(new BigDecimal("9999999999.999999999999999999")).build();
        UsageMetric n = UsageMetric.builder().eventId(id).time(Instant.parse("2026-12-02T06:30:00Z")).model("m")
                .provider("p").build();
        assertThat(HexFormat.of().formatHex(codec.encode(m))).isEqualTo(full);
        assertThat(HexFormat.of().formatHex(codec.encode(n))).isEqualTo(minimal);
        assertThat(codec.decode(HexFormat.of().parseHex(full))).isEqualTo(m);
        assertThat(codec.decode(HexFormat.of().parseHex(minimal))).isEqualTo(n);
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
