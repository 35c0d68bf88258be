package io.llmstore.bench;

import io.llmstore.core.stream.RecordedStream;
import io.llmstore.core.stream.StreamCall;
import io.llmstore.core.stream.StreamFormat;
import io.llmstore.core.stream.StreamRecorder;
import io.llmstore.core.usage.UsageMetric;
import io.llmstore.core.usage.UsageWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * One streamed OpenAI Chat Completions call of {@value #CHUNKS} content chunks (one SSE event per network chunk, as
 * the API sends them; {@code stream_options.include_usage}), forwarded to a client buffer: untouched (the baseline),
 * and through a {@link RecordedStream}. A third method opens and ends a stream with no chunk, so the per-chunk
 * overhead is {@code (recorded - openAndEnd - passThrough) / chunks}. Run by {@link StreamRecorderMeasures}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class StreamRecorderBenchmark {
    /** Content chunks per stream (plus the role, finish, usage and [DONE] events). */
    public static final int CHUNKS = 200;

    private List<byte[]> chunks;
    private byte[] client;
    private StreamRecorder recorder;
    private StreamCall call;

    /** Builds the stream's chunks and a recorder whose writer drops rows (the write is measured elsewhere). */
    @Setup
    public void setUp() {
        chunks = chunks();
        client = new byte[1 << 16];
        UsageWriter drop = new UsageWriter() {
            @Override
            public void record(UsageMetric metric) {
            }

            @Override
            public void recordAll(List<UsageMetric> metrics) {
            }
        };
        recorder = StreamRecorder.builder(drop).idleTimeout(Duration.ZERO).shutdownHook(false).build();
        call = StreamCall.builder("openai", "gpt-4o-mini", StreamFormat.OPENAI_CHAT).prompt("Tell me a story.").build();
    }

    @TearDown
    public void tearDown() {
        recorder.close();
    }

    static List<byte[]> chunks() {
        String head = "{\"id\":\"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG\",\"object\":\"chat.completion.chunk\",\"created\":1741570283,"
                + "\"model\":\"gpt-4o-mini-2024-07-18\",\"service_tier\":\"default\",\"system_fingerprint\":\"fp_06737a9306\",";
        List<byte[]> out = new ArrayList<>();
        out.add(sse(head + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},"
                + "\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}"));
        String[] words = {" Once", " upon", " a", " time", ",", " there", " was", " a", " café", " —", " 日本"};
        for (int i = 0; i < CHUNKS; i++) {
            out.add(sse(head + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + words[i % words.length]
                    + "\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}"));
        }
        out.add(sse(head + "\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":null}"));
        out.add(sse(head + "\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":" + CHUNKS
                + ",\"total_tokens\":" + (CHUNKS + 12) + ",\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},"
                + "\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0}}}"));
        out.add("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        return out;
    }

    private static byte[] sse(String json) {
        return ("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    /** Baseline: every chunk copied to the client buffer, nothing else. */
    @Benchmark
    public int passThrough(Blackhole bh) {
        int written = 0;
        for (byte[] c : chunks) {
            System.arraycopy(c, 0, client, 0, c.length);
            bh.consume(client);
            written += c.length;
        }
        return written;
    }

    /** The same stream also fed to a recorded stream, which ends on [DONE] and hands its row to the writer. */
    @Benchmark
    public Object recorded(Blackhole bh) {
        RecordedStream s = recorder.open(call);
        for (byte[] c : chunks) {
            s.onBytes(c);
            System.arraycopy(c, 0, client, 0, c.length);
            bh.consume(client);
        }
        return s.complete();
    }

    /** Open and end with no chunk: the per-stream cost (row, price), to take out of the per-chunk figure. */
    @Benchmark
    public Object openAndEnd() {
        RecordedStream s = recorder.open(call);
        s.onUsage(io.llmstore.core.price.TokenUsage.of(12, CHUNKS));
        return s.complete();
    }
}
