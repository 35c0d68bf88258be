package io.llmstore.integration.faults;

import io.llmstore.core.StoragePool;
import io.llmstore.kafka.KafkaSink;

/**
 * One sink instance of {@link SinkRebalanceTest} in its own JVM, so the test can kill it (SIGKILL) mid-batch: opens a
 * pool on DATABASE_URL {@code args[0]}, schema {@code args[1]}, Kafka {@code args[2]}, topic prefix {@code args[3]},
 * sink group {@code args[4]}, starts the events -> llm_usage_metrics sink, prints {@code READY} and runs until killed.
 */
public final class SinkChild {
    private SinkChild() {
    }

    public static void main(String[] args) throws Exception {
        StoragePool pool = StoragePool.create(SinkRebalanceTest.sinkConfig(args[0], args[1], args[2], args[3], args[4])
                .build());
        pool.client(KafkaSink.class).orElseThrow().start();
        System.out.println("READY");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
