package io.llmstore.examples.analytics;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.ratelimit.RateLimit;
import io.llmstore.core.ratelimit.RateLimitPolicy;
import io.llmstore.core.ratelimit.RateLimiter;
import io.llmstore.core.stream.CachedStream;
import io.llmstore.core.stream.RecordedStream;
import io.llmstore.core.stream.StreamCall;
import io.llmstore.core.stream.StreamFormat;
import io.llmstore.core.stream.StreamRecorder;
import io.llmstore.core.stream.StreamResult;
import io.llmstore.core.usage.UsageMetric;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** How do I record the usage of a streamed call, also when the client disconnects mid-stream? */
public final class StreamingUsage {
    private StreamingUsage() {
    }

    /** Runs the example with {@code DATABASE_URL} (and optionally {@code REDIS_URL}) from the environment. */
    public static void main(String[] args) throws IOException {
        run(StorageConfig.fromEnv(), System.out);
    }

    /**
     * Three streamed calls proxied to a client: the first completes, the second (another request) loses its client
     * after a few chunks, the third repeats the first and is replayed from the cache. Returns the three rows.
     */
    public static List<UsageMetric> run(StorageConfig config, PrintStream out) throws IOException {
        try (StoragePool pool = StoragePool.create(config)) {
            pool.usage().migrate();
            RateLimiter tokensPerMinute = pool.limits()
                    .limiter(RateLimitPolicy.of(RateLimit.of("tpm", 100_000, Duration.ofMinutes(1))));
            String request = "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"Say hello in five languages.\"}]}";
            String other = request.replace("five", "six");
            List<UsageMetric> rows = new ArrayList<>();
            try (StreamRecorder streams = pool.usage().streamRecorder().rateLimiter(tokensPerMinute)
                    .cache(pool.cache(), Duration.ofMinutes(10)).build()) {
                for (int call = 1; call <= 3; call++) {
                    StreamCall c = StreamCall.builder("openai", "gpt-4o-mini", StreamFormat.OPENAI_CHAT)
                            .prompt(call == 2 ? other : request).cacheKey(call == 2 ? other : request).user("user-42")
                            .reservation(tokensPerMinute.reserve("user-42", 2_000)).build();
                    ByteArrayOutputStream client = new ByteArrayOutputStream();
                    OutputStream socket = call == 2 ? disconnectingAfter(client, 400) : client;
                    Optional<CachedStream> hit = streams.replayFromCache(c);
                    if (hit.isPresent()) {
                        socket.write(hit.get().sse());
                        out.printf("call %d: replayed %d bytes from the cache%n", call, hit.get().sse().length);
                        continue;
                    }
                    try (RecordedStream s = streams.open(c)) {
                        try {
                            for (byte[] chunk : upstream()) { // your HTTP client's body chunks here
                                s.onBytes(chunk);
                                socket.write(chunk);
                            }
                            s.complete();
                        } catch (IOException clientGone) {
                            s.cancel();
                        }
                        StreamResult r = s.result().orElseThrow();
                        out.printf("call %d: %s, %d in / %d out tokens (%s), first token after %.1f ms, $%s%n", call,
                                r.metric().finishReason(), r.metric().tokenInput(), r.metric().tokenOutput(),
                                r.metric().usageSource().value(), r.metric().timeToFirstTokenMs(),
                                r.metric().costUsd().toPlainString());
                    }
                }
            }
            pool.flush();
            rows.addAll(pool.analytics().rows(io.llmstore.core.usage.UsageFilter.last(Duration.ofHours(1), java.time.Clock.systemUTC()),
                    Optional.empty(), 10).rows());
            for (UsageMetric m : rows) {
                out.printf("row: %s %s tokens=%d cost=%s saved=%s%n", m.usageSource().value(), m.finishReason(),
                        m.tokenTotal(), m.costUsd().stripTrailingZeros().toPlainString(),
                        m.costSavedUsd() == null ? "-" : m.costSavedUsd().stripTrailingZeros().toPlainString());
            }
            return rows;
        }
    }

    /** What the provider streams: OpenAI chat chunks, then the usage chunk and [DONE]. */
    static List<byte[]> upstream() {
        List<byte[]> chunks = new ArrayList<>();
        String head = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1741570283,"
                + "\"model\":\"gpt-4o-mini-2024-07-18\",";
        for (String word : new String[] {"Hello", "! Bonjour", "! Hola", "! Hallo", "! Ciao", "!"}) {
            chunks.add(sse(head + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + word
                    + "\"},\"finish_reason\":null}],\"usage\":null}"));
        }
        chunks.add(sse(head + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":null}"));
        chunks.add(sse(head + "\"choices\":[],\"usage\":{\"prompt_tokens\":16,\"completion_tokens\":14,\"total_tokens\":30}}"));
        chunks.add("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        return chunks;
    }

    private static byte[] sse(String json) {
        return ("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    /** A client connection that breaks after {@code limit} bytes, as a browser tab closed mid-answer does. */
    private static OutputStream disconnectingAfter(ByteArrayOutputStream client, int limit) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (client.size() + len > limit) {
                    throw new IOException("client disconnected");
                }
                client.write(b, off, len);
            }
        };
    }
}
