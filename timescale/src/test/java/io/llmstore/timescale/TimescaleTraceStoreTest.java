package io.llmstore.timescale;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmstore.core.trace.LlmSpan;
import io.llmstore.testkit.PostgresServer;
import io.llmstore.testkit.TestServers;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The trace store contract on a real TimescaleDB 2.28: {@code llm_spans} is a hypertable on {@code start_time}. */
class TimescaleTraceStoreTest extends TraceStoreContract {
    @Override
    PostgresServer server() {
        return TestServers.timescale();
    }

    @Override
    String serverName() {
        return "timescale";
    }

    @Test
    void theSpansTableIsAHypertableWithDailyChunks() {
        assertThat(query("SELECT count(*) FROM timescaledb_information.hypertables WHERE hypertable_schema = '"
                + schema + "' AND hypertable_name = 'llm_spans'")).isEqualTo(1);
        List<LlmSpan> spans = new ArrayList<>();
        for (int d = 0; d < 3; d++) {
            spans.add(span("chunked", "s" + d, T0.plusSeconds(86_400L * d), 10).build());
        }
        pool.traces().writeAll(spans);
        assertThat(query("SELECT count(*) FROM show_chunks('\"" + schema + "\".llm_spans')")).isEqualTo(3);
        assertThat(pool.traces().trace("chunked").orElseThrow().spans()).containsExactlyElementsOf(spans);
    }
}
