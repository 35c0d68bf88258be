package io.llmstore.examples.observatory;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmstore.core.price.PriceCatalog;
import io.llmstore.core.price.TokenUsage;
import io.llmstore.core.trace.TraceIds;
import io.llmstore.core.trace.TraceTree;
import io.llmstore.examples.ExampleRun;
import java.math.BigDecimal;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The observatory guide's examples on the real TimescaleDB, each in its own schema. */
class ObservatoryExamplesTest {
    @Test
    void recordLlmSpanStoresTheTraceOnceWithBothSpansAndPrintsTheTree() throws Exception {
        ExampleRun run = ExampleRun.withoutKafka("observatory");

        TraceTree tree = RecordLlmSpan.run(run.config, run.out);

        assertThat(run.printed()).contains("chat gpt-4o [OK, 840 ms]", "  execute_tool order_status [ERROR, 120 ms]",
                "1 error span(s)");
        assertThat(run.queryOne("SELECT count(*) FROM llm_traces")).isEqualTo(1L);
        assertThat(run.queryOne("SELECT trace_id FROM llm_traces").toString())
                .isEqualTo(TraceIds.uuidOf("order-42").toString());
        assertThat(run.queryOne("SELECT count(*) FROM llm_spans")).isEqualTo(2L);
        Instant start = tree.spans().get(0).startTime();
        BigDecimal expected = PriceCatalog.bundled().cost("openai", "gpt-4o", TokenUsage.of(25, 12), start)
                .orElseThrow().total();
        assertThat((BigDecimal) run.queryOne("SELECT cost_usd FROM llm_spans WHERE span_id = 'span-1'"))
                .isEqualByComparingTo(expected);
    }
}
