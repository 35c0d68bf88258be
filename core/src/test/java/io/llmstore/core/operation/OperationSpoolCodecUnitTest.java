package io.llmstore.core.operation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The spool's binary form of an operation with its messages reads back equal: every field, nulls, Unicode, huge values. */
class OperationSpoolCodecUnitTest {
    private final OperationSpoolCodec codec = OperationSpoolCodec.INSTANCE;

    static OperationWithMessages full() {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("deep", List.of(1, 2L, 3.5, "x", true, false));
        nested.put("none", null);
        Map<String, Object> extras = new LinkedHashMap<>();
        extras.put("route", "support 💥");
        extras.put("n", Integer.MAX_VALUE);
        extras.put("big", Long.MIN_VALUE);
        extras.put("pi", Math.PI);
        extras.put("f", 1.1f);
        extras.put("exact", new BigDecimal("0.000000000000000000000000000001"));
        extras.put("huge", new BigInteger("123456789012345678901234567890123456789"));
        extras.put("nested", nested);
        extras.put("null", null);
        extras.put("日本語", "𝄞");
        Operation o = Operation.builder(UUID.randomUUID()).operationId(UUID.randomUUID()).actionId("act-😀")
                .timestamp(Instant.parse("9999-12-31T23:59:59.999999Z")).operationType("chat").provider("openai")
                .model("gpt-4o ✓").tokens(Long.MAX_VALUE, 0).latencyMs(Long.MAX_VALUE)
                .cost(new BigDecimal("9999999999.999999999999999999")).failed("boom: \"quoted\" 💥\n; DROP TABLE x")
                .extras(extras).build();
        List<OperationMessage> messages = List.of(OperationMessage.of("system", "", 0),
                OperationMessage.of("user", "𝄞".repeat(100_000), 7),
                OperationMessage.of("assistant", "answer ✓", Integer.MAX_VALUE));
        return new OperationWithMessages(o, messages);
    }

    static OperationWithMessages minimal() {
        return new OperationWithMessages(Operation.builder(UUID.randomUUID()).timestamp(Instant.parse("0001-01-01T00:00:00Z"))
                .provider("p").model("m").build(), List.of());
    }

    @Test
    void everyFieldReadsBackExactlyIncludingNullsAndHugeValues() {
        for (OperationWithMessages o : List.of(full(), minimal())) {
            OperationWithMessages back = codec.decode(codec.encode(o));
            assertThat(back).isEqualTo(o);
            assertThat(new ArrayList<>(back.operation().extras().keySet())).as("extras order")
                    .isEqualTo(new ArrayList<>(o.operation().extras().keySet()));
            assertThat(back.operation().cost() == null ? null : back.operation().cost().scale())
                    .isEqualTo(o.operation().cost() == null ? null : o.operation().cost().scale());
        }
        assertThat(codec.encode(minimal()).length).as("compact").isLessThan(120);
    }

    @Test
    void anExtraOfAnotherTypeComesBackAsTheJsonTheWriterStores() {
        Operation o = minimal().operation();
        Operation withTime = new Operation(o.operationId(), o.sessionId(), null, o.timestamp(), "chat", "p", "m", 1, 2,
                null, null, "success", null, Map.of("at", Instant.parse("2026-12-02T06:30:00Z"), "s", (short) 3));
        Operation back = codec.decode(codec.encode(new OperationWithMessages(withTime, List.of()))).operation();
        assertThat(back.extras()).isEqualTo(Map.of("at", "2026-12-02T06:30:00Z", "s", 3));
    }

    @Test
    void bytesThatAreNotAnOperationAreRefusedNamingTheProblem() {
        byte[] good = codec.encode(full());
        for (int cut : new int[] {1, 5, 40, good.length / 2, good.length - 1}) {
            assertThatThrownBy(() -> codec.decode(Arrays.copyOf(good, cut)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("operation spool record");
        }
        byte[] other = good.clone();
        other[0] = (byte) 200;
        assertThatThrownBy(() -> codec.decode(other)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("operation spool record format must be 1, was 200");
    }
}
