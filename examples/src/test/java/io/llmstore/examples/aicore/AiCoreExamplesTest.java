package io.llmstore.examples.aicore;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmstore.core.buffer.BufferedWriter;
import io.llmstore.core.operation.Operation;
import io.llmstore.core.price.PriceCatalog;
import io.llmstore.core.price.TokenUsage;
import io.llmstore.examples.ExampleRun;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every AiCore guide example runs on the real TimescaleDB in its own schema; each test checks what the example
 * printed against what it left in the tables, read with plain JDBC (and the Parquet files with DuckDB).
 */
class AiCoreExamplesTest {
    @TempDir
    Path dir;

    @Test
    void storeAnOperationStoresItOncePricedWithItsThreeMessages() throws Exception {
        ExampleRun run = ExampleRun.withoutKafka("aicore_store");
        Operation op = StoreAnOperation.run(run.config, run.out);
        var expected = PriceCatalog.bundled().cost("openai", "gpt-4o", TokenUsage.of(1_200, 350), op.timestamp())
                .orElseThrow().total();
        assertThat(op.cost()).isEqualByComparingTo(expected);
        assertThat(run.queryRows("SELECT count(*), trim_scale(sum(cost)) FROM llm_operations"))
                .containsExactly("1|" + expected.stripTrailingZeros().toPlainString());
        assertThat(run.queryRows("SELECT sequence_number, role FROM llm_messages ORDER BY sequence_number"))
                .containsExactly("0|system", "1|user", "2|assistant");
        assertThat(run.printed()).contains("stored=true replay stored=false: openai gpt-4o, 1550 tokens, cost $"
                + expected.stripTrailingZeros().toPlainString() + ", 3 messages");
    }

    @Test
    void storeOperationsAsyncStoresEveryBufferedOperationWithItsMessages() throws Exception {
        ExampleRun run = ExampleRun.withoutKafka("aicore_async");
        BufferedWriter.Stats stats = StoreOperationsAsync.run(run.config, run.out, 700);
        assertThat(stats.accepted()).isEqualTo(700);
        assertThat(run.queryRows("SELECT (SELECT count(*) FROM llm_operations), (SELECT count(*) FROM llm_messages)"))
                .containsExactly("700|1400");
        assertThat(run.printed()).contains("accepted=700 written=700 buffered=0 poison=0");
    }

    @Test
    void queryOperationsReturnsWhatTheFilterSelectsInTheTable() throws Exception {
        ExampleRun run = ExampleRun.withoutKafka("aicore_query");
        List<Operation> found = QueryOperations.run(run.config, run.out);
        List<String> fromTable = run.queryRows("SELECT operation_id FROM llm_operations WHERE provider = 'openai'"
                + " AND input_tokens + output_tokens >= 1000 AND \"timestamp\" >= now() - interval '2 days'"
                + " ORDER BY \"timestamp\", operation_id");
        assertThat(found).extracting(o -> o.operationId().toString()).containsExactlyElementsOf(fromTable);
        assertThat(found).hasSizeGreaterThan(5); // more than one page
        assertThat(run.printed()).contains(found.size() + " operations");
    }

    @Test
    void analyseOperationsPrintsTheThreeAnalysesAsCsv() throws Exception {
        ExampleRun run = ExampleRun.withoutKafka("aicore_analyse");
        AnalyseOperations.run(run.config, run.out);
        assertThat(run.printed()).contains("provider,totalCost,requestCount,averageLatencyMs\r\n"
                + "anthropic,0.030000000000000000,3,20300.0\r\nopenai,0.030000000000000000,2,500.0\r\n");
        assertThat(run.printed()).contains("workspace,agentId,sessionCount,operationCount,totalCost\r\n"
                + "research,planner,1,2,0.030000000000000000\r\nresearch,writer,1,3,0.030000000000000000\r\n");
        assertThat(run.printed()).contains("provider,model,errorMessage,errorCount\r\n"
                + "anthropic,claude-sonnet-4-5,timeout after 30 s,2\r\n");
        assertThat(run.queryRows("SELECT count(*) FROM llm_operations WHERE status = 'error'")).containsExactly("2");
    }

    @Test
    void exportForDataFramesWritesParquetThatDuckDbReadsLikeTheTable() throws Exception {
        ExampleRun run = ExampleRun.withoutKafka("aicore_export");
        List<Path> files = ExportForDataFrames.run(run.config, run.out, dir);
        List<String> fromTable = run.queryRows("SELECT operation_id, provider, input_tokens, trim_scale(cost)"
                + " FROM llm_operations ORDER BY \"timestamp\", operation_id");
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement st = duck.createStatement();
             ResultSet rs = st.executeQuery("SELECT operation_id, provider, input_tokens, cost FROM read_parquet('"
                     + files.get(0) + "') ORDER BY timestamp, operation_id")) {
            List<String> fromFile = new java.util.ArrayList<>();
            while (rs.next()) {
                fromFile.add(rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getLong(3) + "|"
                        + rs.getBigDecimal(4).stripTrailingZeros().toPlainString());
            }
            assertThat(fromFile).hasSize(10).containsExactlyElementsOf(fromTable);
        }
        assertThat(run.printed()).contains("wrote 10 operations to");
    }
}
