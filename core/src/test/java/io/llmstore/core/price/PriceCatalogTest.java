package io.llmstore.core.price;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Hand-checked costs for each price shape of the bundled catalog (@pydantic/genai-prices 0.1.8). */
class PriceCatalogTest {

    private final PriceCatalog catalog = PriceCatalog.bundled();
    private static final Instant JAN_2026 = Instant.parse("2026-01-01T12:00:00Z");

    private static BigDecimal usd(String s) {
        return new BigDecimal(s);
    }

    @Test
    void flatPriceChargesInputAndOutputPerMillion() {
        // openai gpt-4o: input 2.5, output 10 USD/Mtok
        // 1000 * 2.5 / 1e6 = 0.0025; 500 * 10 / 1e6 = 0.005; total 0.0075
        Cost c = catalog.cost("openai", "gpt-4o", TokenUsage.of(1000, 500), JAN_2026).orElseThrow();
        assertThat(c.input()).isEqualByComparingTo(usd("0.0025"));
        assertThat(c.output()).isEqualByComparingTo(usd("0.005"));
        assertThat(c.total()).isEqualByComparingTo(usd("0.0075"));
        assertThat(c.pricedBy()).isEqualTo(new PricedBy("@pydantic/genai-prices@0.1.8", "openai", "gpt-4o"));
    }

    @Test
    void tieredPriceSwitchesAboveTheThresholdForTheWholeRequest() {
        // anthropic claude-sonnet-4-6 before 2026-03-13: input {base 3, >200000: 6}, output {base 15, >200000: 22.5}
        // at 200000 input (not above the threshold): 200000*3/1e6 = 0.6 + 1000*15/1e6 = 0.015 -> 0.615
        Cost below = catalog.cost("anthropic", "claude-sonnet-4-6", TokenUsage.of(200_000, 1000), JAN_2026).orElseThrow();
        assertThat(below.total()).isEqualByComparingTo(usd("0.615"));
        // at 200001 input every token is at the tier price: 200001*6/1e6 = 1.200006 + 1000*22.5/1e6 = 0.0225 -> 1.222506
        Cost above = catalog.cost("anthropic", "claude-sonnet-4-6", TokenUsage.of(200_001, 1000), JAN_2026).orElseThrow();
        assertThat(above.input()).isEqualByComparingTo(usd("1.200006"));
        assertThat(above.output()).isEqualByComparingTo(usd("0.0225"));
        assertThat(above.total()).isEqualByComparingTo(usd("1.222506"));
    }

    @Test
    void datedPriceAppliesFromItsStartDate() {
        // claude-sonnet-4-6 drops the long-context tier from 2026-03-13T00:00Z: flat 3 / 15
        // just before: 200001*6/1e6 + 1000*22.5/1e6 = 1.222506; from then on: 200001*3/1e6 + 1000*15/1e6 = 0.615003
        TokenUsage usage = TokenUsage.of(200_001, 1000);
        assertThat(catalog.cost("anthropic", "claude-sonnet-4-6", usage, Instant.parse("2026-03-12T23:59:59Z"))
                .orElseThrow().total()).isEqualByComparingTo(usd("1.222506"));
        assertThat(catalog.cost("anthropic", "claude-sonnet-4-6", usage, Instant.parse("2026-03-13T00:00:00Z"))
                .orElseThrow().total()).isEqualByComparingTo(usd("0.615003"));
        // google gemini-3.6-flash doubles on 2027-01-01: 1M input at 0.75 then 1.5
        TokenUsage million = TokenUsage.of(1_000_000, 0);
        assertThat(catalog.cost("google", "gemini-3.6-flash", million, Instant.parse("2026-12-31T23:59:59Z"))
                .orElseThrow().total()).isEqualByComparingTo(usd("0.75"));
        assertThat(catalog.cost("google", "gemini-3.6-flash", million, Instant.parse("2027-01-01T00:00:00Z"))
                .orElseThrow().total()).isEqualByComparingTo(usd("1.5"));
    }

    @Test
    void cacheReadsAndWritesAreChargedApartFromTheInputThatIncludesThem() {
        // anthropic claude-haiku-4-5: input 1, cache write 1.25, cache read 0.1, output 5 USD/Mtok
        // 10000 input tokens of which 6000 cache reads and 2000 cache writes -> 2000 uncached
        // 2000*1/1e6 = 0.002; 6000*0.1/1e6 = 0.0006; 2000*1.25/1e6 = 0.0025; 1000*5/1e6 = 0.005; total 0.0101
        TokenUsage usage = TokenUsage.builder().inputTokens(10_000).cacheReadTokens(6000).cacheWriteTokens(2000)
                .outputTokens(1000).build();
        Cost c = catalog.cost("anthropic", "claude-haiku-4-5", usage, JAN_2026).orElseThrow();
        assertThat(c.input()).isEqualByComparingTo(usd("0.002"));
        assertThat(c.cacheRead()).isEqualByComparingTo(usd("0.0006"));
        assertThat(c.cacheWrite()).isEqualByComparingTo(usd("0.0025"));
        assertThat(c.output()).isEqualByComparingTo(usd("0.005"));
        assertThat(c.total()).isEqualByComparingTo(usd("0.0101"));
        assertThat(c.inputTotal()).isEqualByComparingTo(usd("0.0051"));
    }

    @Test
    void unknownModelIsUnpricedNotFree() {
        assertThat(catalog.cost("openai", "no-such-model", TokenUsage.of(1, 1), JAN_2026)).isEmpty();
        assertThat(catalog.find("no-such-provider", "gpt-4o")).isEmpty();
    }

    @Test
    void modelIdAloneAndDatedIdsResolveAsTheDatasetSays() {
        assertThat(catalog.find("gpt-4o").orElseThrow().pricedBy().providerId()).isEqualTo("openai");
        // Azure serves OpenAI models through its fallback providers
        assertThat(catalog.find("azure", "gpt-4o").orElseThrow().pricedBy()).isEqualTo(
                new PricedBy("@pydantic/genai-prices@0.1.8", "azure", "gpt-4o"));
    }

    @Test
    void overrideWinsOverTheCatalogAndTheNewestOverrideWins() {
        PriceCatalog negotiated = catalog
                .withOverride(PriceOverride.perMillionTokens("old", "openai", "gpt-4o", usd("9"), usd("9")))
                .withOverride(PriceOverride.perMillionTokens("deal-2026", "openai", "gpt-4o", usd("2"), usd("8")));
        // 1000*2/1e6 + 500*8/1e6 = 0.002 + 0.004 = 0.006
        Cost c = negotiated.cost("openai", "GPT-4o", TokenUsage.of(1000, 500), JAN_2026).orElseThrow();
        assertThat(c.total()).isEqualByComparingTo(usd("0.006"));
        assertThat(c.pricedBy().source()).isEqualTo("@pydantic/genai-prices@0.1.8+override:deal-2026");
        assertThat(catalog.cost("openai", "gpt-4o", TokenUsage.of(1000, 500), JAN_2026).orElseThrow().total())
                .isEqualByComparingTo(usd("0.0075"));
        assertThatThrownBy(() -> catalog.withOverride(new PriceOverride("bad", null, "m",
                java.util.Map.of("cache_read_mtok", usd("1")))))
                .hasMessageContaining("Missing ancestor price key input_mtok");
    }

    @Test
    void negativeCountsAreRejectedNamingFieldRuleAndValue() {
        assertThatThrownBy(() -> TokenUsage.of(-3, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("inputTokens must be >= 0, was -3");
        assertThatThrownBy(() -> TokenUsage.builder().unit("web_searches", -1).build())
                .hasMessage("otherUnits[web_searches] must be >= 0, was -1");
    }

    @Test
    void moreCacheReadsThanInputIsRefused() {
        TokenUsage usage = TokenUsage.builder().inputTokens(50).cacheReadTokens(100).build();
        assertThatThrownBy(() -> catalog.cost("openai", "gpt-4o", usage, JAN_2026))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cacheReadTokens (100) cannot exceed inputTokens (50)");
    }

    @Test
    void usageIsReadFromAnthropicAndOpenAiResponses() {
        String anthropic = "{\"id\":\"msg_1\",\"type\":\"message\",\"model\":\"claude-haiku-4-5\",\"usage\":"
                + "{\"input_tokens\":2000,\"cache_creation_input_tokens\":2000,\"cache_read_input_tokens\":6000,\"output_tokens\":1000}}";
        ExtractedUsage a = catalog.extractUsage("anthropic", anthropic).orElseThrow();
        assertThat(a.model()).contains("claude-haiku-4-5");
        // Anthropic's input_tokens exclude cache tokens; ours include them: 2000 + 2000 + 6000
        assertThat(a.usage().inputTokens()).isEqualTo(10_000);
        assertThat(a.usage().cacheReadTokens()).isEqualTo(6000);
        assertThat(a.usage().cacheWriteTokens()).isEqualTo(2000);
        assertThat(a.usage().outputTokens()).isEqualTo(1000);

        String openai = "{\"id\":\"c1\",\"object\":\"chat.completion\",\"model\":\"gpt-4o-2024-08-06\",\"usage\":"
                + "{\"prompt_tokens\":1000,\"completion_tokens\":500,\"total_tokens\":1500,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":400}}}";
        ExtractedUsage o = catalog.extractUsage("openai", openai).orElseThrow();
        assertThat(o.model()).contains("gpt-4o-2024-08-06");
        assertThat(o.usage().inputTokens()).isEqualTo(1000);
        assertThat(o.usage().cacheReadTokens()).isEqualTo(400);
        assertThat(o.usage().outputTokens()).isEqualTo(500);
        assertThatThrownBy(() -> catalog.extractUsage("anthropic", "{\"model\":\"x\"}"))
                .hasMessageContaining("usage");
    }

    @Test
    void costsComeInTheirShortestFormSoEqualsWorksAgainstPlainDecimals() {
        // anthropic claude-haiku-4-5 per Mtok: input 1, cache read 0.1, cache write 1.25, output 5.
        // 12000-8000-1000 = 3000 uncached -> 0.003; 8000*0.1/1e6 = 0.0008; 1000*1.25/1e6 = 0.00125; 700*5/1e6 = 0.0035
        TokenUsage usage = TokenUsage.builder().inputTokens(12_000).cacheReadTokens(8_000).cacheWriteTokens(1_000)
                .outputTokens(700).build();
        Cost c = catalog.cost("anthropic", "claude-haiku-4-5", usage, JAN_2026).orElseThrow();
        assertThat(c.input()).isEqualTo(usd("0.003"));
        assertThat(c.cacheRead()).isEqualTo(usd("0.0008"));
        assertThat(c.cacheWrite()).isEqualTo(usd("0.00125"));
        assertThat(c.output()).isEqualTo(usd("0.0035"));
        assertThat(c.reasoning()).isEqualTo(BigDecimal.ZERO);
        assertThat(c.inputTotal()).isEqualTo(usd("0.00505"));
        assertThat(c.total()).isEqualTo(usd("0.00855"));
        // the README's example: $0.0075 is equal to new BigDecimal("0.0075"), not 0.0075000
        assertThat(catalog.cost("openai", "gpt-4o", TokenUsage.of(1000, 500), JAN_2026).orElseThrow().total())
                .isEqualTo(new BigDecimal("0.0075"));
        // whole dollars print plainly, never in exponent form: 4e6 tokens at 2.5/Mtok = 10
        assertThat(catalog.cost("openai", "gpt-4o", TokenUsage.of(4_000_000, 0), JAN_2026).orElseThrow().total()
                .toString()).isEqualTo("10");
    }

    @Test
    void countsTooLargeForLongArithmeticAreStillPricedExactly() {
        long huge = Long.MAX_VALUE / 2;
        Cost c = catalog.cost("openai", "gpt-4o", TokenUsage.of(huge, 3), JAN_2026).orElseThrow();
        assertThat(c.input()).isEqualByComparingTo(usd("0.0000025").multiply(BigDecimal.valueOf(huge)));
        assertThat(c.total()).isEqualByComparingTo(c.input().add(usd("0.00001").multiply(BigDecimal.valueOf(3))));
    }

    @Test
    void manyUnknownModelIdsOverflowTheLookupCacheWithoutChangingAnyAnswer() {
        PriceCatalog fresh = catalog.withOverride(PriceOverride.perMillionTokens("t", "openai", "o-test", usd("1"), usd("2")));
        Cost before = fresh.cost("openai", "gpt-4o", TokenUsage.of(1000, 500), JAN_2026).orElseThrow();
        for (int i = 0; i < PriceCatalog.LOOKUP_CACHE_SIZE + 500; i++) {
            assertThat(fresh.find("openai", "no-such-model-" + i)).isEmpty();
        }
        assertThat(fresh.cost("openai", "gpt-4o", TokenUsage.of(1000, 500), JAN_2026).orElseThrow()).isEqualTo(before);
        assertThat(fresh.find("openai", "no-such-model-7")).isEmpty();
        assertThat(fresh.find("openai", "o-test").orElseThrow().pricedBy().source()).isEqualTo("@pydantic/genai-prices@0.1.8+override:t");
    }
}
