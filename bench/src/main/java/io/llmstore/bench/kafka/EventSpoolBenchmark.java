package io.llmstore.bench.kafka;

import io.llmstore.bench.BenchServers;
import io.llmstore.bench.Benchmark;
import io.llmstore.bench.Measure;
import io.llmstore.core.buffer.SpoolDurability;
import io.llmstore.core.buffer.SpoolSettings;
import io.llmstore.core.event.LlmEvent;
import io.llmstore.core.event.PublishReceipt;
import io.llmstore.kafka.KafkaEventPublisher;
import io.llmstore.kafka.KafkaOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * {@link KafkaEventPublisher} with its events spool ({@code SPOOL_DURABILITY} {@code os}, {@code fsync}) against the
 * same publisher without one, same broker, same run: 16 caller threads publish for a fixed time (each keeping at most
 * 500 unacknowledged), then {@code flush()}; the rate counts acknowledged events over the whole time. Also
 * {@code fsync} with {@code publishAll} batches of 100 (one group commit per batch). Each mode gets its own fresh
 * topic; modes alternate in each round and each is the median of its rounds.
 */
public final class EventSpoolBenchmark implements Benchmark {
    private static final String[] MODES = {"none", "os", "fsync", "fsync-publishAll100"};
    private static final int THREADS = 16;
    private static final int WINDOW = 500;

    @Override
    public String name() {
        return "event-spool";
    }

    @Override
    public List<Measure> run(BenchServers servers, boolean smoke) throws Exception {
        String bootstrap = servers.kafka().bootstrapServers();
        long millis = smoke ? 1_000 : 4_000;
        int rounds = smoke ? 1 : 2;
        List<LlmEvent> events = KafkaPublishBenchmark.events(50_000);
        String prefix = "bench-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL) + "-";
        Path root = Files.createTempDirectory("llmstore-event-spool-bench");
        List<String> topics = new ArrayList<>();
        double[][] rates = new double[MODES.length][rounds];
        long[] fsyncs = new long[rounds];
        try {
            run(bootstrap, prefix + "warmup-", "os", root, events, 1_000, topics); // JIT, metadata, files
            for (int round = 0; round < rounds; round++) {
                for (int m = 0; m < MODES.length; m++) {
                    double[] r = run(bootstrap, prefix + MODES[m] + round + "-", MODES[m], root, events, millis, topics);
                    rates[m][round] = r[0];
                    if (MODES[m].equals("fsync")) {
                        fsyncs[round] = (long) r[1];
                    }
                }
            }
        } finally {
            KafkaPublishBenchmark.deleteTopics(bootstrap, topics);
            try (Stream<Path> paths = Files.walk(root)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
        double none = median(rates[0]);
        String conditions = String.format(Locale.ROOT, "%d caller threads, at most %d unacknowledged each, %d ms of"
                + " publishing then flush(), one local broker, 6 partitions, RF 1, acks=all; median of %d alternating"
                + " rounds; rounds none %s, os %s, fsync %s, fsync+publishAll(100) %s", THREADS, WINDOW, millis, rounds,
                java.util.Arrays.toString(round(rates[0])), java.util.Arrays.toString(round(rates[1])),
                java.util.Arrays.toString(round(rates[2])), java.util.Arrays.toString(round(rates[3])));
        List<Measure> out = new ArrayList<>();
        out.add(Measure.ratioAtLeast("publisher with the events spool, SPOOL_DURABILITY=os vs none", "events/s",
                median(rates[1]), none, "the same publisher, no spool", 0.8, conditions));
        out.add(Measure.ratioAtLeast("publisher with the events spool, SPOOL_DURABILITY=fsync vs none (publish())",
                "events/s", median(rates[2]), none, "the same publisher, no spool", 0.5, conditions
                        + "; fsyncs per round " + java.util.Arrays.toString(fsyncs)));
        out.add(Measure.ratioAtLeast("publisher with the events spool, SPOOL_DURABILITY=fsync vs none (publishAll of"
                + " 100)", "events/s", median(rates[3]), none, "the same publisher, no spool", 0.5, conditions));
        return out;
    }

    /** One mode for {@code millis}: acknowledged events/s and the spool's fsyncs. */
    private static double[] run(String bootstrap, String prefix, String mode, Path root, List<LlmEvent> events,
                                long millis, List<String> topics) throws Exception {
        KafkaOptions options = KafkaPublishBenchmark.options(bootstrap, prefix);
        KafkaPublishBenchmark.provision(options, topics);
        SpoolSettings spool = mode.equals("none") ? null : SpoolSettings.of(root.resolve(prefix))
                .withDurability(mode.startsWith("fsync") ? SpoolDurability.FSYNC : SpoolDurability.OS);
        boolean batches = mode.endsWith("publishAll100");
        AtomicLong acked = new AtomicLong();
        long start;
        long end;
        long fsyncs;
        try (KafkaEventPublisher publisher = KafkaEventPublisher.create(options, spool)) {
            long deadline = System.nanoTime() + millis * 1_000_000;
            Thread[] threads = new Thread[THREADS];
            start = System.nanoTime();
            for (int t = 0; t < THREADS; t++) {
                int offset = t * 1_000;
                threads[t] = new Thread(() -> {
                    ArrayDeque<CompletableFuture<?>> window = new ArrayDeque<>();
                    int i = offset;
                    int inFlight = 0;
                    while (System.nanoTime() < deadline) {
                        while (inFlight + (batches ? 100 : 1) > WINDOW) {
                            CompletableFuture<?> f = window.pollFirst();
                            f.join();
                            inFlight -= batches ? 100 : 1;
                        }
                        if (batches) {
                            List<LlmEvent> batch = new ArrayList<>(100);
                            for (int k = 0; k < 100; k++) {
                                batch.add(events.get(i++ % events.size()));
                            }
                            CompletableFuture<List<PublishReceipt>> f = publisher.publishAll(batch);
                            f.thenRun(() -> acked.addAndGet(100));
                            window.add(f);
                            inFlight += 100;
                        } else {
                            CompletableFuture<PublishReceipt> f = publisher.publish(events.get(i++ % events.size()));
                            f.thenRun(acked::incrementAndGet);
                            window.add(f);
                            inFlight++;
                        }
                    }
                    window.forEach(CompletableFuture::join);
                }, "bench-publish-" + t);
                threads[t].start();
            }
            for (Thread t : threads) {
                t.join();
            }
            publisher.flush();
            end = System.nanoTime();
            fsyncs = publisher.spoolStats().map(s -> s.fsyncs()).orElse(0L);
        }
        return new double[] {acked.get() / ((end - start) / 1e9), fsyncs};
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static long[] round(double[] values) {
        return java.util.Arrays.stream(values).mapToLong(Math::round).toArray();
    }

    /** Runs the benchmark once and prints the measures: {@code java ... EventSpoolBenchmark [smoke]}. */
    public static void main(String[] args) throws Exception {
        boolean smoke = args.length > 0 && args[0].equals("smoke");
        for (Measure m : new EventSpoolBenchmark().run(new BenchServers(), smoke)) {
            System.out.println(String.format(Locale.ROOT, "%s: ours %.0f %s, baseline (%s) %.0f, ratio %.2fx, goal %s, %s [%s]",
                    m.name(), m.ours(), m.unit(), m.baselineName(), m.baseline(), m.ratio(), m.goal(),
                    m.met() ? "MET" : "NOT MET", m.conditions()));
        }
    }
}
