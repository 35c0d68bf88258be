package io.llmstore.core.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmstore.core.config.Secret;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.gateway.internal.GatewayBudgets;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the gateway's core types promise without any server. */
class GatewayUnitTest {
    @Test
    void theCacheDefaultsAreTheGuidesAndTheDocumentedOnes() {
        StorageConfig config = StorageConfig.builder().build();
        assertThat(config.cache("api_key", Gateway.API_KEY_CACHE_SIZE, Gateway.API_KEY_CACHE_TTL).maximumSize())
                .isEqualTo(Long.parseLong(GatewaySettings.CACHE_API_KEY_SIZE.defaultText())).isEqualTo(1000);
        assertThat(Gateway.API_KEY_CACHE_TTL).isEqualTo(Duration.ofMinutes(5));
        assertThat(GatewaySettings.CACHE_API_KEY_TTL.defaultText()).isEqualTo("5m");
        assertThat(Gateway.MODEL_CACHE_SIZE).isEqualTo(Long.parseLong(GatewaySettings.CACHE_MODEL_SIZE.defaultText())).isEqualTo(500);
        assertThat(Gateway.MODEL_CACHE_TTL).isEqualTo(Duration.ofMinutes(15));
        assertThat(GatewaySettings.CACHE_MODEL_TTL.defaultText()).isEqualTo("15m");
    }

    @Test
    void hashesAreComparedWholeAndTheRawKeyNeverAppearsInAnError() {
        ApiKeyHasher sha = ApiKeyHasher.sha256();
        String raw = "sk-0123456789abcdef-secret";
        String hash = sha.hash(raw);
        assertThat(hash).hasSize(64).matches("[0-9a-f]{64}");
        assertThat(sha.matches(raw, hash)).isTrue();
        assertThat(sha.matches(raw + "x", hash)).isFalse();
        assertThat(ApiKeyHasher.equalHashes(hash, hash.substring(0, 63) + "0")).isEqualTo(hash.endsWith("0"));
        assertThat(ApiKeyHasher.hmac(Secret.of("p")).hash(raw)).isNotEqualTo(hash);
        assertThat(ApiKeyHasher.hmac(Secret.of("pepper")).toString()).doesNotContain("pepper=pepper");
        assertThatThrownBy(() -> sha.hash("sk-short")).hasMessage("rawKey must be at least 16 characters, was 8 characters");
        assertThatThrownBy(() -> sha.hash("sk-0123456789abcdef\n")).hasMessageContaining("control characters")
                .hasMessageNotContaining("0123456789");
    }

    @Test
    void specsRefuseWrongValuesNamingTheField() {
        assertThatThrownBy(() -> ApiKeySpec.named(" ")).hasMessageContaining("name must be 1..200");
        assertThatThrownBy(() -> ApiKeySpec.named("k").rateLimitPerMinute(0)).hasMessage("rateLimitPerMinute must be > 0 or null, was 0");
        assertThatThrownBy(() -> ApiKeySpec.named("k").monthlyBudgetUsd(new BigDecimal("-5")))
                .hasMessage("monthlyBudgetUsd must be > 0 or null, was -5");
        assertThatThrownBy(() -> new ModelSpec("openai", "m", List.of("ok", ""), null)).hasMessageContaining("aliases[1]");
        assertThatThrownBy(() -> new ModelSpec("openai", "x".repeat(201), List.of(), null)).hasMessageContaining("name must be 1..200");
    }

    @Test
    void budgetAlertPercentagesAreParsedStrictly() {
        assertThat(GatewayBudgets.parsePercents("95, 80,80")).containsExactly(80, 95);
        assertThat(GatewayBudgets.parsePercents("")).isEmpty();
        assertThatThrownBy(() -> GatewayBudgets.parsePercents("80,101")).hasMessageContaining("GATEWAY_BUDGET_ALERTS")
                .hasMessageContaining("'80,101'");
        assertThatThrownBy(() -> GatewayBudgets.parsePercents("eighty")).hasMessageContaining("'eighty'");
    }

    @Test
    void aRefusalNamesTheBudgetTheSpendTheLimitAndTheReset() {
        BudgetDecision refused = new BudgetDecision(false, 42, YearMonth.of(2026, 3), BigDecimal.ZERO,
                new BigDecimal("9.99"), BigDecimal.TEN, Instant.parse("2026-04-01T00:00:00Z"));
        assertThat(refused.refusal()).contains("monthly budget of API key 42 for 2026-03 is exhausted: spent $9.99 of"
                + " the $10 limit; resets at 2026-04-01T00:00:00Z");
    }
}
