package io.llmstore.bench.kafka;

import io.llmstore.bench.BenchServers;
import io.llmstore.bench.Benchmark;
import io.llmstore.bench.Measure;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.event.LlmEvent;
import io.llmstore.core.event.LlmEventJson;
import io.llmstore.core.event.PublishReceipt;
import io.llmstore.kafka.EventKey;
import io.llmstore.kafka.KafkaEventPublisher;
import io.llmstore.kafka.KafkaOptions;
import io.llmstore.kafka.KafkaTopics;
import io.llmstore.kafka.internal.ClientProperties;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * {@link KafkaEventPublisher} events/s against Kafka's own producer performance tool
 * ({@code org.apache.kafka.tools.ProducerPerformance}) sending the very same bytes (our encoded events, through
 * {@code --payload-file}) with the same producer settings (acks=all, idempotence, lz4, linger 5 ms, 64 KiB batches),
 * each into its own fresh 6-partition topic on the same broker. Goal: ours >= 0.8x the tool.
 *
 * <p>The tool (kafka-tools) is not published for 4.4.0, and 4.3.1 tools fail on 4.4.0 client jars, so it runs in a
 * separate JVM on its own 4.3.1 classpath, resolved from {@code bench/tools/kafka-perf/pom.xml}; we parse its summary
 * line ("N records sent, X records/sec ..."). Each side runs twice, alternating; the best run of each counts.
 */
public final class KafkaPublishBenchmark implements Benchmark {
    private static final Pattern SUMMARY = Pattern.compile("(\\d+) records sent, ([0-9.]+) records/sec");

    @Override
    public String name() {
        return "kafka-publish";
    }

    @Override
    public List<Measure> run(BenchServers servers, boolean smoke) throws Exception {
        String bootstrap = servers.kafka().bootstrapServers();
        int records = smoke ? 5_000 : 300_000;
        String prefix = "bench-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL) + "-";
        List<LlmEvent> events = events(records);
        Path payloads = Files.createTempFile("llmstore-kafka-payloads", ".jsonl");
        double meanSize = writePayloads(events, payloads);
        Path classpath = toolClasspath();

        double ours = 0;
        double tool = 0;
        double raw = 0;
        List<String> topics = new ArrayList<>();
        try {
            ours(bootstrap, prefix + "warmup-", events.subList(0, Math.min(events.size(), 20_000)), topics);
            for (int round = 0; round < (smoke ? 1 : 2); round++) {
                tool = Math.max(tool, tool(bootstrap, prefix + "tool" + round + "-", records, payloads, classpath, topics));
                ours = Math.max(ours, ours(bootstrap, prefix + "ours" + round + "-", events, topics));
                raw = Math.max(raw, rawKeyed(bootstrap, prefix + "raw" + round + "-", events, topics));
            }
        } finally {
            Files.deleteIfExists(payloads);
            deleteTopics(bootstrap, topics);
        }
        String conditions = String.format("%d records of %.0f bytes (our LlmEvent JSON, same bytes both sides), acks=all, "
                + "idempotence, lz4, linger.ms=5, batch.size=65536, 6 partitions, RF 1, one local 4.4.0 broker, "
                + "one producer; best of %d runs each", records, meanSize, smoke ? 1 : 2);
        return List.of(Measure.ratioAtLeast("publisher throughput, events/s", "events/s", ours, tool,
                "kafka-tools 4.3.1 ProducerPerformance (no keys: sticky partitioner)", 0.8, conditions),
                // Diagnostic, no goal: the bare producer gets pre-encoded bytes, so the gap is our JSON encoding
                // and per-event future; it shows where the publisher's time goes.
                new Measure("publisher throughput vs bare keyed producer, events/s", "events/s", ours, raw,
                        "kafka-clients 4.4.0 KafkaProducer, same keys, values encoded before timing", "none (diagnostic)",
                        true, conditions + "; the gap is JSON encoding + one CompletableFuture per event"));
    }

    /** Publishes every event through our publisher and waits for every acknowledgement; events/s. */
    private static double ours(String bootstrap, String prefix, List<LlmEvent> events, List<String> topics) {
        KafkaOptions options = options(bootstrap, prefix);
        provision(options, topics);
        List<CompletableFuture<PublishReceipt>> futures = new ArrayList<>(events.size());
        long start;
        long end;
        try (KafkaEventPublisher publisher = KafkaEventPublisher.create(options)) {
            start = System.nanoTime();
            for (LlmEvent e : events) {
                // A window of 5,000 in flight: the publisher refuses more than MAX_PENDING waiting publishes.
                if (futures.size() >= 5_000) {
                    futures.get(futures.size() - 5_000).join();
                }
                futures.add(publisher.publish(e));
            }
            publisher.flush();
            end = System.nanoTime();
        }
        for (CompletableFuture<PublishReceipt> f : futures) {
            f.join(); // every one acknowledged, or the run is void
        }
        return events.size() / ((end - start) / 1e9);
    }

    /** The same records (same keys, pre-encoded values) through a bare KafkaProducer with the same settings. */
    private static double rawKeyed(String bootstrap, String prefix, List<LlmEvent> events, List<String> topics) {
        KafkaOptions options = options(bootstrap, prefix);
        provision(options, topics);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(events.size());
        for (LlmEvent e : events) {
            records.add(new ProducerRecord<>(options.events().name(), EventKey.USER_OR_MODEL.keyOf(e).getBytes(StandardCharsets.UTF_8),
                    LlmEventJson.encode(e)));
        }
        long start;
        long end;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(ClientProperties.producer(options, "bench-raw"))) {
            start = System.nanoTime();
            for (ProducerRecord<byte[], byte[]> r : records) {
                producer.send(r, (m, e) -> {
                    if (e != null) {
                        throw new IllegalStateException(e);
                    }
                });
            }
            producer.flush();
            end = System.nanoTime();
        }
        return events.size() / ((end - start) / 1e9);
    }

    /** Runs ProducerPerformance in its own JVM on the same payloads; its records/s. */
    private static double tool(String bootstrap, String prefix, int records, Path payloads, Path classpath,
                               List<String> topics) throws IOException, InterruptedException {
        KafkaOptions options = options(bootstrap, prefix);
        provision(options, topics);
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = List.of(java, "-Xmx512m", "-cp", Files.readString(classpath).trim(),
                "org.apache.kafka.tools.ProducerPerformance",
                "--topic", options.events().name(), "--num-records", Integer.toString(records), "--throughput", "-1",
                "--payload-file", payloads.toString(),
                "--producer-props", "bootstrap.servers=" + bootstrap, "acks=all", "enable.idempotence=true",
                "compression.type=lz4", "linger.ms=5", "batch.size=65536", "max.in.flight.requests.per.connection=5");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("ProducerPerformance failed:\n" + output);
        }
        Matcher last = null;
        Matcher m = SUMMARY.matcher(output);
        while (m.find()) {
            last = SUMMARY.matcher(m.group());
            last.find();
        }
        if (last == null || Long.parseLong(last.group(1)) != records) {
            throw new IllegalStateException("no summary line for " + records + " records in:\n" + output);
        }
        return Double.parseDouble(last.group(2));
    }

    static KafkaOptions options(String bootstrap, String prefix) {
        return KafkaOptions.from(StorageConfig.builder().kafkaBootstrapServers(bootstrap)
                .set("KAFKA_TOPIC_PREFIX", prefix).build());
    }

    static void provision(KafkaOptions options, List<String> topics) {
        try (Admin admin = Admin.create(ClientProperties.admin(options))) {
            // Only the events topic: that is what both sides write to.
            new KafkaTopics(admin, List.of(options.events()), Duration.ofSeconds(30)).provision().requireOk();
        }
        topics.add(options.events().name());
    }

    static void deleteTopics(String bootstrap, List<String> topics) {
        try (Admin admin = Admin.create(ClientProperties.admin(options(bootstrap, "")))) {
            admin.deleteTopics(topics).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            // best effort: benchmark topics carry a random prefix
        }
    }

    /** Realistic events: 500 users, two models, attributes like an application would set. */
    static List<LlmEvent> events(int n) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        Instant t0 = Instant.now();
        List<LlmEvent> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            boolean openai = r.nextBoolean();
            list.add(LlmEvent.builder().timestamp(t0.plusMillis(i))
                    .model(openai ? "gpt-4o-mini" : "claude-3-5-sonnet").provider(openai ? "openai" : "anthropic")
                    .user("user-" + r.nextInt(500)).tokens(r.nextInt(4000), r.nextInt(1000))
                    .latency(Duration.ofMillis(200 + r.nextInt(3000)))
                    .costUsd(BigDecimal.valueOf(r.nextInt(100_000), 6))
                    .attribute("application_id", "chat-app").attribute("environment", "prod")
                    .attribute("route", "/v1/chat").build());
        }
        return list;
    }

    /** One encoded event per line (JSON has no raw newlines); returns the mean size in bytes. */
    private static double writePayloads(List<LlmEvent> events, Path file) throws IOException {
        long total = 0;
        try (OutputStream out = Files.newOutputStream(file)) {
            for (LlmEvent e : events) {
                byte[] json = LlmEventJson.encode(e);
                total += json.length;
                out.write(json);
                out.write('\n');
            }
        }
        return (double) total / events.size();
    }

    /** The tool's classpath file, resolved with Maven on first use. */
    private static Path toolClasspath() throws IOException, InterruptedException {
        Path pom = findUp(Path.of("").toAbsolutePath(), "bench/tools/kafka-perf/pom.xml");
        Path cp = pom.getParent().resolve("target/classpath.txt");
        if (!Files.exists(cp)) {
            Process p = new ProcessBuilder("mvn", "-B", "-q", "-f", pom.toString(), "dependency:build-classpath",
                    "-Dmdep.outputFile=target/classpath.txt").inheritIO().start();
            if (p.waitFor() != 0 || !Files.exists(cp)) {
                throw new IllegalStateException("could not resolve the kafka-tools 4.3.1 classpath with " + pom);
            }
        }
        return cp;
    }

    private static Path findUp(Path dir, String relative) {
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.exists(d.resolve(relative))) {
                return d.resolve(relative);
            }
        }
        throw new IllegalStateException(relative + " not found above " + dir);
    }
}
