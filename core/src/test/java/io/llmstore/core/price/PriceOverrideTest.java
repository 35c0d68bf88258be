package io.llmstore.core.price;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Overrides follow the catalog model and its dates; fractional units and per-hour prices are exact;
 * a blank provider is no provider; arguments and catalog files are checked when given.
 */
class PriceOverrideTest {

    private static final PriceCatalog BUNDLED = PriceCatalog.bundled();
    private static final Instant JAN_2026 = Instant.parse("2026-01-01T12:00:00Z");
    private static final TokenUsage USAGE = TokenUsage.of(1000, 500);
    private static final BigDecimal LIST = new BigDecimal("0.0075");   // 1000*2.5/1e6 + 500*10/1e6
    private static final BigDecimal DEAL = new BigDecimal("0.006");    // 1000*2/1e6 + 500*8/1e6

    private static BigDecimal usd(String s) {
        return new BigDecimal(s);
    }

    private static final PriceCatalog DEAL_CATALOG = BUNDLED.withOverride(
            PriceOverride.perMillionTokens("deal-2026", "openai", "gpt-4o", usd("2"), usd("8")));

    @Test
    void anOverrideAppliesToEveryIdThatResolvesToItsCatalogModel() {
        // ids OpenAI returns in a response's model field, a different case, Azure's fallback to OpenAI
        for (String[] id : new String[][] {{"openai", "gpt-4o"}, {"openai", "GPT-4o"}, {"openai", "gpt-4o-2024-08-06"},
                {"openai", "gpt-4o-2024-11-20"}, {"azure", "gpt-4o"}, {"azure", "gpt-4o-2024-08-06"}, {null, "gpt-4o-2024-11-20"},
                {"", "gpt-4o"}}) {
            Cost c = DEAL_CATALOG.cost(id[0], id[1], USAGE, JAN_2026).orElseThrow();
            assertThat(c.total()).as("%s/%s", id[0], id[1]).isEqualTo(DEAL);
            assertThat(c.pricedBy().source()).isEqualTo("@pydantic/genai-prices@0.1.8+override:deal-2026");
            assertThat(c.pricedBy().modelId()).isEqualTo("gpt-4o");
        }
        // the id extractUsage hands back from a real response body prices at the deal too
        String body = "{\"object\":\"chat.completion\",\"model\":\"gpt-4o-2024-08-06\",\"usage\":{\"prompt_tokens\":1000,"
                + "\"completion_tokens\":500}}";
        ExtractedUsage u = DEAL_CATALOG.extractUsage("openai", body).orElseThrow();
        assertThat(DEAL_CATALOG.cost("openai", u.model().orElseThrow(), u.usage(), JAN_2026).orElseThrow().total())
                .isEqualTo(DEAL);
        // another catalog model stays at list price: gpt-4o-2024-05-13 is its own model in the dataset
        assertThat(DEAL_CATALOG.cost("openai", "gpt-4o-2024-05-13", USAGE, JAN_2026).orElseThrow().pricedBy().source())
                .isEqualTo("@pydantic/genai-prices@0.1.8");
    }

    @Test
    void aPinnedOverrideAppliesToItsLiteralIdOnly() {
        PriceCatalog pinned = BUNDLED.withOverride(
                PriceOverride.perMillionTokens("snap", "openai", "gpt-4o-2024-08-06", usd("2"), usd("8")).pinExactId());
        assertThat(pinned.cost("openai", "gpt-4o-2024-08-06", USAGE, JAN_2026).orElseThrow().total()).isEqualTo(DEAL);
        assertThat(pinned.cost("openai", "gpt-4o", USAGE, JAN_2026).orElseThrow().total()).isEqualTo(LIST);
        assertThat(pinned.cost("openai", "gpt-4o-2024-11-20", USAGE, JAN_2026).orElseThrow().total()).isEqualTo(LIST);
    }

    @Test
    void aDatedOverridePricesOnlyCallsInItsWindowAndTheCatalogScheduleTheRest() {
        Instant from = Instant.parse("2026-01-01T00:00:00Z");
        Instant until = Instant.parse("2027-01-01T00:00:00Z");
        PriceCatalog dated = BUNDLED.withOverride(PriceOverride.perMillionTokens("deal-2026", "openai", "gpt-4o",
                usd("2"), usd("8")).effective(from, until));
        assertThat(dated.cost("openai", "gpt-4o", USAGE, Instant.parse("2020-06-01T00:00:00Z")).orElseThrow().total())
                .isEqualTo(LIST);
        assertThat(dated.cost("openai", "gpt-4o", USAGE, from.minusNanos(1)).orElseThrow().pricedBy().source())
                .isEqualTo("@pydantic/genai-prices@0.1.8");
        assertThat(dated.cost("openai", "gpt-4o", USAGE, from).orElseThrow().total()).isEqualTo(DEAL);
        assertThat(dated.cost("openai", "gpt-4o", USAGE, until.minusNanos(1)).orElseThrow().total()).isEqualTo(DEAL);
        assertThat(dated.cost("openai", "gpt-4o", USAGE, until).orElseThrow().total()).isEqualTo(LIST);

        // layered over the bundled schedule: claude-sonnet-4-6 changes price on 2026-03-13; an override for
        // March only takes that month and leaves the dataset's own dates on either side
        TokenUsage big = TokenUsage.of(200_001, 1000);
        PriceCatalog march = BUNDLED.withOverride(PriceOverride.perMillionTokens("march", "anthropic", "claude-sonnet-4-6",
                usd("1"), usd("1")).effective(Instant.parse("2026-03-01T00:00:00Z"), Instant.parse("2026-04-01T00:00:00Z")));
        assertThat(march.cost("anthropic", "claude-sonnet-4-6", big, Instant.parse("2026-02-28T00:00:00Z")).orElseThrow()
                .total()).isEqualTo(usd("1.222506"));
        assertThat(march.cost("anthropic", "claude-sonnet-4-6", big, Instant.parse("2026-03-20T00:00:00Z")).orElseThrow()
                .total()).isEqualTo(usd("0.201001"));
        assertThat(march.cost("anthropic", "claude-sonnet-4-6", big, Instant.parse("2026-04-01T00:00:00Z")).orElseThrow()
                .total()).isEqualTo(usd("0.615003"));

        // a dated override of a model the dataset lacks leaves it unpriced outside its window
        PriceCatalog privateModel = BUNDLED.withOverride(PriceOverride.perMillionTokens("p", null, "our-model",
                usd("1"), usd("1")).effective(from, until));
        assertThat(privateModel.cost("ours", "our-model", USAGE, JAN_2026)).isPresent();
        assertThat(privateModel.cost("ours", "our-model", USAGE, until)).isEmpty();
    }

    @Test
    void aCatalogFileLayersOverTheBundledOne() throws Exception {
        String file = "{\"format\":1,\"dataset\":{\"name\":\"ours\",\"version\":\"7\"},\"units\":"
                + "{\"input_tokens\":{\"price_key\":\"input_mtok\",\"per\":1000000,\"dimensions\":{\"direction\":\"input\",\"family\":\"tokens\"}},"
                + "\"output_tokens\":{\"price_key\":\"output_mtok\",\"per\":1000000,\"dimensions\":{\"direction\":\"output\",\"family\":\"tokens\"}}},"
                + "\"providers\":[{\"id\":\"openai\",\"name\":\"OpenAI\",\"models\":[{\"id\":\"gpt-4o\",\"match\":{\"equals\":\"gpt-4o\"},"
                + "\"prices\":[{\"prices\":{\"input_mtok\":2,\"output_mtok\":8}},"
                + "{\"constraint\":{\"type\":\"start_date\",\"start_date\":\"2027-01-01\"},\"prices\":{\"input_mtok\":1,\"output_mtok\":4}}]}]}]}";
        PriceCatalog layered = BUNDLED.withCatalog(PriceCatalog.fromJson(new ByteArrayInputStream(file.getBytes(StandardCharsets.UTF_8))));
        Cost ours = layered.cost("openai", "gpt-4o", USAGE, JAN_2026).orElseThrow();
        assertThat(ours.total()).isEqualTo(DEAL);
        assertThat(ours.pricedBy().source()).isEqualTo("ours@7");
        assertThat(layered.cost("openai", "gpt-4o", USAGE, Instant.parse("2027-02-01T00:00:00Z")).orElseThrow().total())
                .isEqualTo(usd("0.003"));
        // what the file does not price, the bundled catalog still does
        Cost claude = layered.cost("anthropic", "claude-haiku-4-5", USAGE, JAN_2026).orElseThrow();
        assertThat(claude.pricedBy().source()).isEqualTo("@pydantic/genai-prices@0.1.8");
    }

    @Test
    void aCatalogFileThatCannotPriceIsRefusedWhenLoaded() {
        String file = "{\"format\":1,\"dataset\":{\"name\":\"ours\",\"version\":\"1\"},\"units\":"
                + "{\"input_tokens\":{\"price_key\":\"input_mtok\",\"per\":1000000,\"dimensions\":{\"direction\":\"input\",\"family\":\"tokens\"}},"
                + "\"cache_read_tokens\":{\"price_key\":\"cache_read_mtok\",\"per\":1000000,\"dimensions\":{\"direction\":\"input\",\"family\":\"tokens\",\"token_type\":\"cache_read\"}}},"
                + "\"providers\":[{\"id\":\"p\",\"models\":[{\"id\":\"m\",\"match\":{\"equals\":\"m\"},\"prices\":{\"cache_read_mtok\":1}}]}]}";
        assertThatThrownBy(() -> PriceCatalog.fromJson(new ByteArrayInputStream(file.getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("price catalog ours@1: provider 'p' model 'm' prices[0]: Missing ancestor price key input_mtok for cache_read_mtok");
    }

    @Test
    void nullArgumentsAreRefusedNamingTheArgument() {
        assertThatThrownBy(() -> PriceOverride.perMillionTokens(null, "openai", "gpt-4o", usd("1"), usd("1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("id must not be blank, was null");
        assertThatThrownBy(() -> PriceOverride.perMillionTokens("d", "openai", null, usd("1"), usd("1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("model must not be blank, was null");
        assertThatThrownBy(() -> PriceOverride.perMillionTokens("d", "openai", "gpt-4o", null, usd("1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("inputPerMillion must be >= 0, was null");
        assertThatThrownBy(() -> PriceOverride.perMillionTokens("d", "openai", "gpt-4o", usd("1"), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("outputPerMillion must be >= 0, was null");
        assertThatThrownBy(() -> new PriceOverride("d", "openai", "gpt-4o", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("prices must name at least one price, was null");
        assertThatThrownBy(() -> PriceOverride.perMillionTokens("d", "openai", "gpt-4o", usd("1"), usd("1"))
                .effective(Instant.parse("2027-01-01T00:00:00Z"), Instant.parse("2026-01-01T00:00:00Z")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("effectiveFrom must be before effectiveUntil");
        assertThatThrownBy(() -> BUNDLED.withOverride(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("override must not be null");
        assertThatThrownBy(() -> BUNDLED.cost("openai", "gpt-4o", null, JAN_2026)).hasMessage("usage must not be null");
        assertThatThrownBy(() -> BUNDLED.cost("openai", "gpt-4o", USAGE, null)).hasMessage("at must not be null");
        assertThatThrownBy(() -> BUNDLED.cost("openai", null, USAGE, JAN_2026)).hasMessage("model must not be null");
    }

    @Test
    void aBlankProviderIsNoProviderAndCostNeedsNoProvider() {
        assertThat(BUNDLED.find("", "gpt-4o").orElseThrow().pricedBy().providerId()).isEqualTo("openai");
        assertThat(BUNDLED.find("  ", "claude-haiku-4-5").orElseThrow().pricedBy().providerId()).isEqualTo("anthropic");
        assertThat(BUNDLED.cost("gpt-4o", USAGE, JAN_2026).orElseThrow().total()).isEqualTo(LIST);
    }

    @Test
    void fractionalSecondsArePricedExactlyAndNegativeOnesRefused() {
        // x-ai realtime bills billable_audio_seconds into audio_seconds (per hour); groq whisper-large-v3-turbo
        // prices audio at 0.04 USD/hour: 12.6 s -> 12.6 * 0.04 / 3600 = 0.00014
        TokenUsage audio = TokenUsage.builder().unit("audio_seconds", new BigDecimal("12.6")).build();
        assertThat(BUNDLED.cost("groq", "whisper-large-v3-turbo", audio, JAN_2026).orElseThrow().total())
                .isEqualTo(usd("0.00014"));
        String body = "{\"model\":\"grok-voice\",\"usage\":{\"billable_audio_seconds\":12.6,\"input_tokens\":0}}";
        assertThat(BUNDLED.extractUsage("x-ai", body, "realtime").orElseThrow().usage().otherUnits())
                .containsEntry("audio_seconds", new BigDecimal("12.6"));
        String negative = "{\"model\":\"grok-voice\",\"usage\":{\"billable_audio_seconds\":-0.4}}";
        assertThatThrownBy(() -> BUNDLED.extractUsage("x-ai", negative, "realtime"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("`usage.billable_audio_seconds` (usage audio_seconds) must be a non-negative number, was -0.4");
        assertThatThrownBy(() -> TokenUsage.builder().unit("audio_seconds", new BigDecimal("-0.4")).build())
                .hasMessage("otherUnits[audio_seconds] must be >= 0, was -0.4");
    }

    @Test
    void perHourPricesAreExactWheneverTheExactCostIsAFiniteDecimal() {
        // 12 s at $3/h = 12 * 3 / 3600 = 0.01 exactly (dividing first gave 0.00999...96)
        PriceCatalog hourly = BUNDLED.withOverride(new PriceOverride("h", "ours", "speech",
                Map.of("audio_hours", usd("3"))));
        TokenUsage twelve = TokenUsage.builder().unit("audio_seconds", 12).build();
        assertThat(hourly.cost("ours", "speech", twelve, JAN_2026).orElseThrow().total()).isEqualTo(usd("0.01"));
        // 1 s at $1/h = 1/3600 does not terminate: 34 significant digits
        PriceCatalog one = BUNDLED.withOverride(new PriceOverride("h", "ours", "speech", Map.of("audio_hours", usd("1"))));
        BigDecimal third = one.cost("ours", "speech", TokenUsage.builder().unit("audio_seconds", 1).build(), JAN_2026)
                .orElseThrow().total();
        assertThat(third.precision()).isEqualTo(34);
        assertThat(third.multiply(BigDecimal.valueOf(3600)).subtract(BigDecimal.ONE).abs()).isLessThan(usd("1e-30"));
    }
}
