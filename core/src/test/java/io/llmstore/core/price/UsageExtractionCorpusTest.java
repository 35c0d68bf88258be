package io.llmstore.core.price;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Reads usage out of the extraction corpus ({@code extraction-corpus.json}): realistic response bodies per provider
 * and API flavor, non-streamed and the final streamed event, each with the usage a user must get back; and bodies
 * that must be refused, each with what the message must say.
 */
class UsageExtractionCorpusTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final PriceCatalog catalog = PriceCatalog.bundled();

    private static JsonNode corpus() throws Exception {
        try (InputStream in = UsageExtractionCorpusTest.class.getResourceAsStream("extraction-corpus.json")) {
            return JSON.readTree(in);
        }
    }

    @Test
    void everyCorpusBodyYieldsItsExpectedUsageAndFlavor() throws Exception {
        List<String> wrong = new ArrayList<>();
        int n = 0;
        for (JsonNode c : corpus().get("cases")) {
            n++;
            String flavor = c.path("flavor").isNull() ? null : c.path("flavor").asText();
            // as text, the way a body arrives from an HTTP client
            String body = JSON.writeValueAsString(c.get("body"));
            ExtractedUsage got;
            try {
                got = catalog.extractUsage(c.get("provider").asText(), body, flavor).orElseThrow();
            } catch (RuntimeException e) {
                wrong.add(c.get("name").asText() + ": " + e);
                continue;
            }
            JsonNode exp = c.get("expected");
            Map<String, BigDecimal> expected = new TreeMap<>();
            Iterator<Map.Entry<String, JsonNode>> it = exp.get("usage").fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                expected.put(e.getKey(), e.getValue().decimalValue().stripTrailingZeros());
            }
            String expectedModel = exp.get("model").isNull() ? null : exp.get("model").asText();
            if (!counts(got.usage()).equals(expected) || !java.util.Objects.equals(got.model().orElse(null), expectedModel)
                    || !got.apiFlavor().equals(exp.get("apiFlavor").asText())) {
                wrong.add(c.get("name").asText() + ": expected " + expectedModel + " " + exp.get("apiFlavor").asText() + " "
                        + expected + ", got " + got.model().orElse(null) + " " + got.apiFlavor() + " " + counts(got.usage()));
            }
        }
        assertThat(wrong).isEmpty();
        assertThat(n).isGreaterThanOrEqualTo(25);
    }

    @Test
    void malformedBodiesAreRefusedSayingWhatIsWrong() throws Exception {
        for (JsonNode c : corpus().get("refused")) {
            assertThatThrownBy(() -> catalog.extractUsage(c.get("provider").asText(), c.get("text").asText()))
                    .as(c.get("name").asText())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(c.get("message").asText());
        }
    }

    @Test
    void anExplicitFlavorTheProviderLacksIsRefusedListingTheFlavorsItHas() {
        assertThatThrownBy(() -> catalog.extractUsage("anthropic", "{\"usage\":{}}", "responses"))
                .hasMessage("provider anthropic has no extractor for API flavor responses, allowed: [default, chat]");
    }

    // Non-zero counts by dataset usage key.
    private static Map<String, BigDecimal> counts(TokenUsage u) {
        Map<String, BigDecimal> m = new TreeMap<>();
        put(m, "input_tokens", u.inputTokens());
        put(m, "cache_read_tokens", u.cacheReadTokens());
        put(m, "cache_write_tokens", u.cacheWriteTokens());
        put(m, "output_tokens", u.outputTokens());
        put(m, "input_audio_tokens", u.inputAudioTokens());
        put(m, "cache_audio_read_tokens", u.cacheAudioReadTokens());
        put(m, "output_audio_tokens", u.outputAudioTokens());
        put(m, "output_reasoning_tokens", u.outputReasoningTokens());
        u.otherUnits().forEach((k, v) -> {
            if (v.signum() != 0) {
                m.put(k, v);
            }
        });
        m.replaceAll((k, v) -> v.stripTrailingZeros());
        return m;
    }

    private static void put(Map<String, BigDecimal> m, String key, long v) {
        if (v != 0) {
            m.put(key, BigDecimal.valueOf(v));
        }
    }
}
