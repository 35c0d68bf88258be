package io.llmstore.core.operation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The operation records' rules, without a server: refusals name the field, the rule and the value. */
class OperationRecordsUnitTest {
    private static final UUID SESSION = UUID.randomUUID();

    private static Operation.Builder op() {
        return Operation.builder(SESSION).timestamp(Instant.parse("2026-03-01T00:00:00.123456789Z")).provider("openai").model("gpt-4o");
    }

    @Test
    void timestampsKeepMicrosecondsAndCostsScale18SoAFetchedOperationEqualsTheRecordedOne() {
        Operation o = op().cost(new BigDecimal("0.5")).build();
        assertThat(o.timestamp()).isEqualTo(Instant.parse("2026-03-01T00:00:00.123456Z"));
        assertThat(o.cost()).isEqualTo(new BigDecimal("0.500000000000000000"));
        assertThat(o).isEqualTo(op().cost(new BigDecimal("0.50")).operationId(o.operationId()).build());
    }

    @Test
    void invalidValuesAreRefusedNamingFieldRuleAndValue() {
        assertThatThrownBy(() -> op().tokens(1, -2).build()).hasMessage("outputTokens must be >= 0, was -2");
        assertThatThrownBy(() -> op().latencyMs(-1).build()).hasMessage("latencyMs must be >= 0, was -1");
        assertThatThrownBy(() -> op().cost(new BigDecimal("-0.1")).build()).hasMessage("cost must be >= 0, was -0.1");
        assertThatThrownBy(() -> op().cost(new BigDecimal("12345678901")).build())
                .hasMessage("cost must be < 10^10 USD, was 12345678901");
        assertThatThrownBy(() -> op().provider(" ").build()).hasMessage("provider must not be blank, was ' '");
        assertThatThrownBy(() -> op().status(null).build()).hasMessage("status must not be blank, was null");
        assertThatThrownBy(() -> op().errorMessage("bad\u0000").build())
                .hasMessageContaining("errorMessage must not contain U+0000").hasMessageContaining("index 3");
        assertThatThrownBy(() -> new LlmSession(UUID.randomUUID(), "w", "", Instant.now(), Map.of()))
                .hasMessage("agentId must not be blank, was ''");
        assertThatThrownBy(() -> new OperationMessage(UUID.randomUUID(), "user", "x", -1))
                .hasMessage("sequenceNumber must be >= 0, was -1");
        assertThatThrownBy(() -> OperationFilter.all().withMinTokens(-5)).hasMessage("minTokens must be >= 0, was -5");
        Instant t = Instant.now();
        assertThatThrownBy(() -> OperationFilter.between(t, t)).hasMessageContaining("from must be before to");
    }

    @Test
    void aDuplicateMessageIdOrSequenceNumberIsRefusedNamingItAndTheOperation() {
        Operation o = op().build();
        OperationMessage m = OperationMessage.of("user", "a", 4);
        assertThatThrownBy(() -> new OperationWithMessages(o, List.of(m, OperationMessage.of("user", "b", 4))))
                .hasMessage("sequenceNumber 4 appears twice in the messages of operation " + o.operationId()
                        + "; each must be unique");
        assertThatThrownBy(() -> new OperationWithMessages(o, List.of(m, new OperationMessage(m.messageId(), "user", "b", 5))))
                .hasMessageContaining("messageId " + m.messageId() + " appears twice");
    }

    @Test
    void validSurrogatePairsAndEveryOtherCharacterAreKept() {
        String text = "😀𝄞 \uFFFF \u200d e\u0301";
        assertThat(OperationMessage.of("user", text, 0).content()).isEqualTo(text);
        assertThatThrownBy(() -> OperationMessage.of("user", "\uDE00x", 0)).hasMessageContaining("U+DE00 alone at index 0");
    }
}
