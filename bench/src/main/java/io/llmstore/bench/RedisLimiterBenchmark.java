package io.llmstore.bench;

import io.llmstore.core.StoragePool;
import io.llmstore.core.cache.LocalResponseCache;
import io.llmstore.core.cache.ResponseCache;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.ratelimit.RateLimit;
import io.llmstore.core.ratelimit.RateLimiter;
import io.llmstore.testkit.RedisServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Redis rate limiter throughput against {@code redis-benchmark -t incr} on the same server in the same run, and
 * response-cache hit latency for the Redis and in-process tiers.
 *
 * <p>Ours: N threads share ONE pool (one Lettuce connection, which pipelines concurrent commands) and call
 * {@code tryAcquire} on one hot key; every call runs the full decision script ({@code EVALSHA}, allowed, so it
 * writes). Baseline: {@code redis-benchmark -t incr -c N}, N connections each waiting for its reply (no {@code -P}),
 * also one key. Goals: decisions/s >= 0.7x INCR/s; cache hit p99 < 1 ms (Redis) and < 10 us (local).
 * {@link #main} runs it in full and prints the table.
 */
public final class RedisLimiterBenchmark implements Benchmark {
    @Override
    public String name() {
        return "redis-limiter";
    }

    @Override
    public List<Measure> run(BenchServers servers, boolean smoke) throws Exception {
        RedisServer redis = servers.redis();
        Duration duration = smoke ? Duration.ofSeconds(1) : Duration.ofSeconds(10);
        List<Measure> measures = new ArrayList<>();
        StorageConfig config = StorageConfig.builder().redisUrl(redis.uri())
                .set("REDIS_KEY_PREFIX", "bench-" + UUID.randomUUID() + ":").build();
        try (StoragePool pool = StoragePool.create(config)) {
            // Large enough never to deny: we measure the cost of a full, writing decision.
            RateLimiter limiter = pool.rateLimiters().limiter(RateLimit.of("rpm", 100_000_000_000L, Duration.ofMinutes(1)));
            for (int clients : new int[] {8, 50}) {
                decisionsPerSecond(limiter, clients, Duration.ofSeconds(1)); // warm-up
                double ours = decisionsPerSecond(limiter, clients, duration);
                long requests = smoke ? 20_000 : Math.max(100_000, (long) (ours * duration.toSeconds()));
                double incr = redisBenchmarkIncr(redis, clients, requests);
                measures.add(Measure.ratioAtLeast("rate-limit decisions/s, one hot key, " + clients + " threads",
                        "ops/s", ours, incr, "redis-benchmark -t incr -c " + clients + " -n " + requests, 0.7,
                        clients + " client threads sharing one Lettuce connection vs " + clients
                                + " redis-benchmark connections; no pipelining flag; same server, same run; "
                                + Runtime.getRuntime().availableProcessors() + " cores shared by client and server"));
            }
            ResponseCache cache = pool.cache();
            cache.put("bench-model", "a cached prompt of ordinary length, about a sentence or two long.", "a response",
                    Duration.ofMinutes(10));
            long[] redisHits = hitLatencies(cache, smoke ? 2_000 : 50_000);
            measures.add(latency("response cache hit p50, Redis tier", redisHits, 50, 1000));
            measures.add(latency("response cache hit p99, Redis tier", redisHits, 99, 1000));
        }
        LocalResponseCache local = new LocalResponseCache(10_000, Duration.ofHours(1), Duration.ofSeconds(30),
                Clock.systemUTC());
        local.put("bench-model", "a cached prompt of ordinary length, about a sentence or two long.", "a response",
                Duration.ofMinutes(10));
        hitLatencies(local, 200_000); // JIT warm-up
        long[] localHits = hitLatencies(local, smoke ? 20_000 : 1_000_000);
        measures.add(latency("response cache hit p50, local tier", localHits, 50, 10));
        measures.add(latency("response cache hit p99, local tier", localHits, 99, 10));
        return measures;
    }

    private static double decisionsPerSecond(RateLimiter limiter, int threads, Duration duration) throws Exception {
        String key = "hot user " + UUID.randomUUID();
        LongAdder count = new LongAdder();
        LongAdder unavailable = new LongAdder();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        long[] window = new long[2];
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                long end = window[1];
                while (System.nanoTime() < end) {
                    if (limiter.tryAcquire(key).backendUnavailable()) {
                        unavailable.increment();
                    }
                    count.increment();
                }
            });
            t.start();
            workers.add(t);
        }
        window[0] = System.nanoTime();
        window[1] = window[0] + duration.toNanos();
        go.countDown();
        for (Thread t : workers) {
            t.join();
        }
        if (unavailable.sum() > 0) {
            throw new IllegalStateException(unavailable.sum() + " decisions failed open: Redis did not answer");
        }
        return count.sum() / ((System.nanoTime() - window[0]) / 1e9);
    }

    /** Runs redis-benchmark and reads INCR requests/s from its CSV output. */
    private static double redisBenchmarkIncr(RedisServer redis, int clients, long requests) throws IOException,
            InterruptedException {
        Process p = new ProcessBuilder("redis-benchmark", "-h", redis.host(), "-p", String.valueOf(redis.port()),
                "-t", "incr", "-c", String.valueOf(clients), "-n", String.valueOf(requests), "--csv")
                .redirectErrorStream(true).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("redis-benchmark failed: " + out);
        }
        for (String line : out.split("\\R")) {
            if (line.startsWith("\"INCR\"")) {
                return Double.parseDouble(line.split(",")[1].replace("\"", ""));
            }
        }
        throw new IllegalStateException("no INCR line in redis-benchmark output: " + out);
    }

    private static long[] hitLatencies(ResponseCache cache, int samples) {
        String prompt = "a cached prompt of ordinary length, about a sentence or two long.";
        long[] nanos = new long[samples];
        for (int i = 0; i < samples; i++) {
            long t0 = System.nanoTime();
            if (cache.get("bench-model", prompt).isEmpty()) {
                throw new IllegalStateException("benchmark entry missing from " + cache);
            }
            nanos[i] = System.nanoTime() - t0;
        }
        Arrays.sort(nanos);
        return nanos;
    }

    private static Measure latency(String name, long[] sortedNanos, int percentile, double goalMicros) {
        double micros = sortedNanos[(int) Math.min(sortedNanos.length - 1,
                Math.ceil(sortedNanos.length * percentile / 100.0) - 1)] / 1000.0;
        boolean p99 = percentile == 99;
        return new Measure(name, "us", micros, Double.NaN, "none (absolute goal)",
                p99 ? "< " + goalMicros + " us" : "(reported)", !p99 || micros < goalMicros,
                sortedNanos.length + " sequential gets of one key from one thread (sha256 of the prompt included)");
    }

    /** Runs the full benchmark against the harness's Redis and prints the table. */
    public static void main(String[] args) throws Exception {
        boolean smoke = Arrays.asList(args).contains("--smoke");
        for (Measure m : new RedisLimiterBenchmark().run(new BenchServers(), smoke)) {
            System.out.printf("%-55s %12.1f %-5s baseline %12.1f (%s) ratio %.2f goal %s met=%s%n  conditions: %s%n",
                    m.name(), m.ours(), m.unit(), m.baseline(), m.baselineName(), m.ratio(), m.goal(), m.met(),
                    m.conditions());
        }
    }
}
