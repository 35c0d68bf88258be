package io.llmstore.core.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The spool's binary form of a gateway usage record reads back equal: every field, nulls, Unicode, huge values. */
class UsageRecordSpoolCodecUnitTest {
    private final UsageRecordSpoolCodec codec = UsageRecordSpoolCodec.INSTANCE;

    @Test
    void everyFieldReadsBackExactlyIncludingNullsAndHugeValues() {
        String meta = "{\"note\": \"💥 𝄞 日本語 ; DROP TABLE x\", \"pad\": \"" + "x".repeat(UsageRecord.MAX_METADATA_CHARS - 60) + "\"}";
        UsageRecord full = new UsageRecord(Long.MAX_VALUE, UUID.randomUUID(), Long.MAX_VALUE, 7, 9,
                Instant.parse("2026-12-02T06:30:00.123456789Z"), Long.MAX_VALUE, 0, Long.MAX_VALUE,
                new BigDecimal("9999999999.999999999999999999"), meta, "{\"finish\": \"stop ✓\"}");
        UsageRecord minimal = new UsageRecord(0, UUID.randomUUID(), 1, 2, 3, Instant.EPOCH, 0, 0, 0, BigDecimal.ZERO,
                null, null);
        UsageRecord scaled = new UsageRecord(0, UUID.randomUUID(), 1, 2, 3, Instant.MIN, 1, 2, 3, new BigDecimal("0.100000000000000000"),
                "{}", null);
        for (UsageRecord r : List.of(full, minimal, scaled)) {
            UsageRecord back = codec.decode(codec.encode(r));
            assertThat(back).isEqualTo(r);
            assertThat(back.costUsd().scale()).isEqualTo(r.costUsd().scale());
        }
        assertThat(codec.encode(minimal).length).as("compact").isLessThan(110);
    }

    @Test
    void bytesThatAreNotARecordAreRefusedNamingTheProblem() {
        byte[] good = codec.encode(new UsageRecord(0, UUID.randomUUID(), 1, 2, 3, Instant.EPOCH, 0, 0, 0, BigDecimal.ONE,
                "{\"a\": 1}", null));
        for (int cut : new int[] {1, 9, 40, good.length - 1}) {
            assertThatThrownBy(() -> codec.decode(Arrays.copyOf(good, cut)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gateway usage record spool record");
        }
        byte[] other = good.clone();
        other[0] = 0;
        assertThatThrownBy(() -> codec.decode(other)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("format must be 1, was 0");
    }
}
