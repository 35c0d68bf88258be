package io.llmstore.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;

/**
 * Runs {@link StreamRecorderBenchmark}: the stream recorder's cost per chunk against passing the same chunks through
 * untouched, measured in the same run (goal: at most a few microseconds per chunk; the issue says "microseconds").
 */
public final class StreamRecorderMeasures extends JmhBenchmark {
    static final double GOAL_OVERHEAD_NS_PER_CHUNK = 5_000;

    @Override
    public String name() {
        return "stream";
    }

    @Override
    protected Class<?> jmhClass() {
        return StreamRecorderBenchmark.class;
    }

    @Override
    protected List<Measure> measures(Map<String, RunResult> r, String conditions) {
        int chunks = StreamRecorderBenchmark.chunks().size();
        double pass = score(r, "passThrough") / chunks;
        double recorded = score(r, "recorded");
        double end = score(r, "openAndEnd");
        double perChunk = (recorded - end) / chunks;
        double overhead = perChunk - pass;
        String c = chunks + " chunks per stream (OpenAI chat, one SSE event each, ~300 bytes), 1 thread; recorded "
                + scoreText(r, "recorded") + ", pass-through " + scoreText(r, "passThrough") + ", open+end "
                + scoreText(r, "openAndEnd") + "; " + conditions;
        return List.of(
                new Measure("stream recorder ns per chunk (open+end taken out)", "ns/chunk", perChunk, pass,
                        "the same chunks passed through untouched, same run",
                        String.format(Locale.ROOT, "overhead <= %.0f ns/chunk", GOAL_OVERHEAD_NS_PER_CHUNK),
                        overhead <= GOAL_OVERHEAD_NS_PER_CHUNK,
                        String.format(Locale.ROOT, "overhead %.0f ns/chunk; ", overhead) + c),
                Measure.absolute("stream open + end (row built and priced, writer drops it)", "ns/stream", end,
                        "<= 50 us", end <= 50_000, c));
    }
}
