package io.llmstore.timescale;

import io.llmstore.core.StoragePool;
import io.llmstore.core.stream.RecordedStream;
import io.llmstore.core.stream.StreamRecorder;
import io.llmstore.core.stream.Transcript;
import java.util.Arrays;

/**
 * A child JVM for {@link StreamRecorderPostgresTest}: opens one stream through {@code pool.usage().streamRecorder()}, feeds
 * half the Anthropic transcript, prints {@code STREAMING} and waits to be terminated, never closing anything.
 */
public final class StreamShutdownChild {
    private StreamShutdownChild() {
    }

    static int cut(Transcript t) {
        return t.eventEnds().get(6);
    }

    public static void main(String[] args) throws Exception {
        StoragePool pool = StoragePool.create(io.llmstore.core.config.StorageConfig.builder().databaseUrl(args[0])
                .poolMaxConnections(2).set("DB_SCHEMA", args[1]).set("DB_TIMESCALEDB", "off").build());
        StreamRecorder recorder = pool.usage().streamRecorder().build();
        Transcript t = Transcript.named("anthropic.sse");
        RecordedStream s = recorder.open(t.call().build());
        s.onBytes(Arrays.copyOf(t.bytes(), cut(t)));
        System.out.println("STREAMING " + s);
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
