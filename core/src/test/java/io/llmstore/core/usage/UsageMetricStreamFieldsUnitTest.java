package io.llmstore.core.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The schema-V5 fields of {@link UsageMetric}: builder setters, copies, equality and validation naming the field. */
class UsageMetricStreamFieldsUnitTest {
    static UsageMetric.Builder row() {
        return UsageMetric.builder().time(Instant.parse("2026-03-01T00:00:00Z")).model("gpt-4o").provider("openai")
                .tokens(10, 5);
    }

    @Test
    void theFieldsAreKeptCopiedAndCompared() {
        UsageMetric m = row().usageSource(UsageSource.ESTIMATED).timeToFirstTokenMs(12.5).finishReason("cancelled")
                .costSavedUsd(new BigDecimal("0.10")).build();
        assertThat(m.usageSource()).isEqualTo(UsageSource.ESTIMATED);
        assertThat(m.timeToFirstTokenMs()).isEqualTo(12.5);
        assertThat(m.finishReason()).isEqualTo("cancelled");
        assertThat(m.toBuilder().build()).isEqualTo(m);
        assertThat(m.toBuilder().costSavedUsd(new BigDecimal("0.1")).build()).as("decimals by value").isEqualTo(m);
        assertThat(m.toBuilder().usageSource(UsageSource.REPORTED).build()).isNotEqualTo(m);
        assertThat(m.toBuilder().finishReason("stop").build()).isNotEqualTo(m);
        assertThat(m.toBuilder().timeToFirstTokenMs(null).build()).isNotEqualTo(m);
        assertThat(row().build().usageSource()).isNull();
    }

    @Test
    void invalidValuesAreRefusedNamingTheFieldTheRuleAndTheValue() {
        assertThatThrownBy(() -> row().timeToFirstTokenMs(-1.0).build())
                .hasMessage("timeToFirstTokenMs must be a finite number >= 0 or null, was -1.0");
        assertThatThrownBy(() -> row().timeToFirstTokenMs(Double.NaN).build())
                .hasMessage("timeToFirstTokenMs must be a finite number >= 0 or null, was NaN");
        assertThatThrownBy(() -> row().costSavedUsd(new BigDecimal("-0.01")).build())
                .hasMessage("costSavedUsd must be >= 0, was -0.01");
        assertThatThrownBy(() -> row().costSavedUsd(new BigDecimal("0.0000000000000000001")).build())
                .hasMessage("costSavedUsd must have at most 18 decimal places (NUMERIC(28,18)), was 0.0000000000000000001");
        assertThatThrownBy(() -> row().finishReason("x".repeat(256)).build())
                .hasMessage("finishReason must be at most 255 characters, was 256");
        assertThatThrownBy(() -> row().finishReason("a\0b").build())
                .hasMessage("finishReason must not contain NUL characters (PostgreSQL text cannot store them)");
        assertThatThrownBy(() -> UsageSource.of("guessed"))
                .hasMessage("usageSource must be one of reported, estimated, cache_hit, was 'guessed'");
        assertThat(UsageSource.of("cache_hit")).isEqualTo(UsageSource.CACHE_HIT);
    }
}
