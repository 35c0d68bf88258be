package io.llmstore.kafka;

/**
 * A sink in its own JVM, for tests that kill it with -9: {@code SinkProcess <prefix> <schema>} consumes the events
 * topic of {@code prefix} (group {@code <prefix>sink}) into the existing test table {@code schema}, prints
 * {@code STARTED}, and runs until killed.
 */
public final class SinkProcess {
    private SinkProcess() {
    }

    public static void main(String[] args) throws Exception {
        KafkaOptions options = KafkaTestSupport.options(args[0]);
        JdbcUsageWriter writer = new JdbcUsageWriter(args[1], false);
        KafkaSink sink = KafkaSink.create(options, writer).start();
        System.out.println("STARTED");
        while (true) { // a trace for the test's log file: what this process did before it was killed
            System.out.println(sink.stats() + (sink.failure().map(f -> " failed: " + f).orElse("")));
            System.out.flush();
            Thread.sleep(1000);
        }
    }
}
