package io.llmstore.core.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The billing rule: the lowest billed span of each branch counts; a parent repeating its children never does. */
class SpanTotalsUnitTest {
    private static LlmSpan s(String trace, String id, String parent, Long in, String cost) {
        LlmSpan.Builder b = LlmSpan.builder().traceId(trace).spanId(id).parentSpanId(parent).name(id).operation("chat")
                .startTime(Instant.EPOCH).endTime(Instant.EPOCH.plusMillis(id.length()));
        if (in != null) {
            b.usage(in, 1);
        }
        return b.cost(cost == null ? null : new BigDecimal(cost), null).build();
    }

    @Test
    void aParentBilledAboveBilledDescendantsDoesNotCountButOneBilledAloneDoes() {
        List<LlmSpan> spans = List.of(
                s("t", "workflow", null, 300L, "0.30"),     // rolls up everything below: not counted
                s("t", "agent", "workflow", null, null),     // no usage
                s("t", "llm-1", "agent", 100L, "0.10"),      // a grandchild of the workflow: counted
                s("t", "llm-2", "workflow", 200L, null),     // counted, unpriced
                s("t", "top-only", null, 50L, "0.05"),       // billed, children not: counted
                s("t", "tool", "top-only", null, null),
                s("u", "llm-1", null, 7L, "0.07"));          // another trace, same span id: its own branch
        SpanTotals t = SpanTotals.of(spans);
        assertThat(t.calls()).isEqualTo(4);
        assertThat(t.unpricedCalls()).isEqualTo(1);
        assertThat(t.inputTokens()).isEqualTo(100 + 200 + 50 + 7);
        assertThat(t.costUsd()).isEqualByComparingTo("0.22");
        assertThat(t.spans()).isEqualTo(7);
    }

    @Test
    void aParentCycleInHostileDataEnds() {
        SpanTotals t = SpanTotals.of(List.of(s("t", "a", "b", 1L, "1"), s("t", "b", "a", 2L, "2")));
        assertThat(t.spans()).isEqualTo(2);
        assertThat(t.calls()).isZero(); // each has a billed descendant
        assertThat(TraceTree.of("t", List.of(s("t", "a", "b", 1L, "1"), s("t", "b", "a", 2L, "2"))).spans())
                .as("a cycle has no root; its spans are not lost")
                .hasSize(2);
    }
}
