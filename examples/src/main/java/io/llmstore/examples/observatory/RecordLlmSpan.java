package io.llmstore.examples.observatory;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.trace.LlmSpan;
import io.llmstore.core.trace.SpanNode;
import io.llmstore.core.trace.TraceTree;
import io.llmstore.core.trace.Traces;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;

/**
 * The LLM Observatory guide's span example: build an {@link LlmSpan} (span id, the application's string trace id,
 * name, provider, model, prompt, latency, status), write it (the trace is looked up or created for the string id,
 * and the span buffered under the trace's UUID), flush, and read the trace back as a tree.
 */
public final class RecordLlmSpan {
    private RecordLlmSpan() {
    }

    /** Runs the example with {@code DATABASE_URL} set. */
    public static void main(String[] args) {
        run(StorageConfig.fromEnv(), System.out);
    }

    /** Writes a chat span and its tool call under trace {@code "order-42"}, flushes, prints the tree. */
    public static TraceTree run(StorageConfig config, PrintStream out) {
        try (StoragePool pool = StoragePool.create(config)) {
            pool.usage().migrate(); // creates the trace tables too (or DB_MIGRATE_ON_START=true)
            Traces traces = pool.traces();
            Instant start = Instant.now();

            LlmSpan span = LlmSpan.builder()
                    .spanId("span-1")
                    .traceId("order-42")                 // the application's own id
                    .name("chat gpt-4o")
                    .operation(LlmSpan.CHAT)
                    .provider("openai")
                    .model("gpt-4o")
                    .input("Where is my order 42?")
                    .usage(25, 12)                       // the cost is filled from the price catalog
                    .startTime(start)
                    .latency(Duration.ofMillis(840))
                    .ok()
                    .build();
            traces.write(span);
            traces.write(LlmSpan.builder().spanId("span-2").parentSpanId("span-1").traceId("order-42")
                    .name("execute_tool order_status").operation(LlmSpan.EXECUTE_TOOL)
                    .startTime(start.plusMillis(300)).latency(Duration.ofMillis(120)).error("order service timed out")
                    .build());
            traces.flush();

            TraceTree tree = traces.trace("order-42").orElseThrow();
            print(tree.roots().get(0), "", out);
            out.println("cost USD " + tree.totals().costUsd().toPlainString() + ", " + tree.totals().errorSpans()
                    + " error span(s)");
            return tree;
        }
    }

    private static void print(SpanNode node, String indent, PrintStream out) {
        LlmSpan s = node.span();
        out.println(indent + s.name() + " [" + s.status() + ", " + s.latency().toMillis() + " ms]");
        node.children().forEach(c -> print(c, indent + "  ", out));
    }
}
