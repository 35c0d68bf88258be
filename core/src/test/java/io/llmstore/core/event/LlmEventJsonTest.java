package io.llmstore.core.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The event's wire form: stable snake_case names, exact round trip, errors that name the wire field. */
class LlmEventJsonTest {
    private static final LlmEvent EVENT = LlmEvent.builder()
            .eventId(UUID.fromString("0b6f6d5e-3c1a-4a8e-9a55-5c1f1f0c2b11"))
            .timestamp(Instant.parse("2026-01-31T12:00:00.123Z"))
            .type("completion").model("gpt-4o").provider("openai").user("user-42")
            .tokens(120, 48).latency(Duration.ofNanos(812_500_000)).costUsd(new BigDecimal("0.00123"))
            .attribute("environment", "prod").build();

    @Test
    void encodesTheDocumentedSnakeCaseFields() {
        assertThat(LlmEventJson.encodeToString(EVENT)).isEqualTo("{\"schema_version\":1,"
                + "\"event_id\":\"0b6f6d5e-3c1a-4a8e-9a55-5c1f1f0c2b11\",\"timestamp\":\"2026-01-31T12:00:00.123Z\","
                + "\"event_type\":\"completion\",\"model_id\":\"gpt-4o\",\"provider\":\"openai\",\"user_id\":\"user-42\","
                + "\"tokens\":{\"input\":120,\"output\":48},\"latency_ms\":812.5,\"cost_usd\":0.00123,"
                + "\"attributes\":{\"environment\":\"prod\"}}");
    }

    @Test
    void decodingWhatWasEncodedGivesTheSameEventExactly() {
        assertThat(LlmEventJson.decode(LlmEventJson.encode(EVENT))).isEqualTo(EVENT);
        LlmEvent minimal = LlmEvent.builder().timestamp(Instant.EPOCH).model("m").provider("p").build();
        assertThat(LlmEventJson.decode(LlmEventJson.encode(minimal))).isEqualTo(minimal);
    }

    @Test
    void aTimestampWithNanosecondsIsTruncatedToMicrosecondsAsPostgresqlStoresIt() {
        Instant nanos = Instant.parse("2026-01-31T12:00:00.123456789Z");
        LlmEvent event = LlmEvent.builder().timestamp(nanos).model("m").provider("p").build();

        assertThat(event.timestamp()).isEqualTo(Instant.parse("2026-01-31T12:00:00.123456Z"));
        assertThat(LlmEventJson.encodeToString(event)).contains("\"timestamp\":\"2026-01-31T12:00:00.123456Z\"");
        assertThat(LlmEventJson.decode(LlmEventJson.encode(event))).isEqualTo(event);
    }

    @Test
    void tokenClassesAndPriceSourceTravelAsVersion2AndAnEventWithoutThemStaysVersion1() {
        LlmEvent full = LlmEvent.builder().eventId(EVENT.eventId()).timestamp(EVENT.timestamp())
                .model("claude-haiku-4-5").provider("anthropic").tokens(10_000, 1000).cacheTokens(6000L, 2000L)
                .reasoningTokens(300L).costUsd(new BigDecimal("0.0101")).priceSource("@pydantic/genai-prices@0.1.8").build();
        String json = LlmEventJson.encodeToString(full);
        assertThat(json).startsWith("{\"schema_version\":2,")
                .contains("\"tokens\":{\"input\":10000,\"output\":1000,\"cache_read\":6000,\"cache_write\":2000,\"reasoning\":300}")
                .contains("\"price_source\":\"@pydantic/genai-prices@0.1.8\"");
        assertThat(LlmEventJson.decode(LlmEventJson.encode(full))).isEqualTo(full);
        // an event with none of the version-2 fields is written as version 1, which a version-1 reader accepts
        assertThat(LlmEventJson.encodeToString(EVENT)).startsWith("{\"schema_version\":1,");
        // and a version-1 event decodes with the new fields unreported
        LlmEvent v1 = LlmEventJson.decode(json().getBytes(StandardCharsets.UTF_8));
        assertThat(v1.tokenCacheRead()).isNull();
        assertThat(v1.tokenReasoning()).isNull();
        assertThat(v1.priceSource()).isNull();
    }

    @Test
    void unknownFieldsAreIgnoredSoNewerProducersDoNotBreakOlderConsumers() {
        String json = LlmEventJson.encodeToString(EVENT).replace("{\"schema_version\":1,", "{\"schema_version\":1,\"region\":\"eu\",");
        assertThat(LlmEventJson.decode(json.getBytes(StandardCharsets.UTF_8))).isEqualTo(EVENT);
    }

    @Test
    void aBrokenFieldIsNamedByItsWireName() {
        assertInvalid(json().replace("\"input\":120", "\"input\":-3"), "tokens.input must be >= 0, was -3", false);
        assertInvalid(json().replace("\"model_id\":\"gpt-4o\",", ""), "model_id is required", false);
        assertInvalid(json().replace("\"model_id\":\"gpt-4o\"", "\"model_id\":\" \""), "model_id must not be blank, was ' '", false);
        assertInvalid(json().replace("2026-01-31T12:00:00.123Z", "yesterday"), "timestamp must be an ISO-8601 instant", false);
        assertInvalid(json().replace("\"cost_usd\":0.00123", "\"cost_usd\":\"cheap\""), "cost_usd must be a number >= 0", false);
        assertInvalid(json().replace("\"schema_version\":1", "\"schema_version\":3"), "schema_version must be <= 2, was 3", false);
        assertInvalid(json().replace("\"output\":48", "\"output\":48,\"reasoning\":-2"), "tokens.reasoning must be >= 0, was -2", false);
        assertInvalid("{not json", "event is not valid JSON", true);
        assertInvalid("[1,2]", "event must be a JSON object, was array", true);
    }

    @Test
    void theRecordValidatesAndNamesTheField() {
        assertThatThrownBy(() -> LlmEvent.builder().timestamp(Instant.EPOCH).model("m").provider("p").tokens(-1, 0).build())
                .hasMessage("tokenInput must be >= 0, was -1");
        assertThatThrownBy(() -> LlmEvent.builder().model("m").provider("p").build()).hasMessage("timestamp must not be null");
        assertThatThrownBy(() -> LlmEvent.builder().timestamp(Instant.EPOCH).model("m").provider("p")
                .latency(Duration.ofMillis(-1)).build()).hasMessage("latency must be >= 0, was PT-0.001S");
    }

    private static String json() {
        return LlmEventJson.encodeToString(EVENT);
    }

    private static void assertInvalid(String json, String message, boolean malformed) {
        assertThatThrownBy(() -> LlmEventJson.decode(json.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(InvalidEventException.class, e -> assertThat(e.isMalformed()).isEqualTo(malformed))
                .hasMessageContaining(message);
    }
}
