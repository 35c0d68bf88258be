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
 * {@code tryAcquire} on one hot key with one fixed-window limit (the common policy, so the lean decision script
 * {@code rate_limit_fw.lua}; allowed, so every call writes). Baseline: {@code redis-benchmark -t incr -c N}, N
 * connections each waiting for its reply (no {@code -P}), also one key. The machine may be shared, so ours and the
 * baseline alternate in several short rounds and each is the median of its rounds. A reference row runs the same
 * script with {@code redis-benchmark evalsha -c N}: the server cost of the script, without our Java client.
 * Goals: decisions/s >= 0.7x INCR/s; cache hit p99 < 1 ms (Redis) and < 10 us (local). {@link #main} runs it in
 * full and prints the table.
 */
public final class RedisLimiterBenchmark implements Benchmark {
    @Override
    public String name() {
        return "redis-limiter";
    }

    @Override
    public List<Measure> run(BenchServers servers, boolean smoke) throws Exception {
        RedisServer redis = servers.redis();
        Duration duration = smoke ? Duration.ofSeconds(1) : Duration.ofSeconds(3);
        int rounds = smoke ? 1 : 5;
        List<Measure> measures = new ArrayList<>();
        String prefix = "bench-" + UUID.randomUUID() + ":";
        StorageConfig config = StorageConfig.builder().redisUrl(redis.uri()).set("REDIS_KEY_PREFIX", prefix).build();
        try (StoragePool pool = StoragePool.create(config)) {
            // Large enough never to deny: we measure the cost of a full, writing decision.
            RateLimiter limiter = pool.limits().limiter(RateLimit.of("rpm", 100_000_000_000L, Duration.ofMinutes(1)));
            String scriptSha = sha1Hex(resource("/io/llmstore/redis/internal/rate_limit_fw.lua"));
            String scriptKey = prefix + "bench-script-reference";
            for (int clients : new int[] {8, 50}) {
                decisionsPerSecond(limiter, clients, Duration.ofSeconds(1)); // warm-up
                double[] ours = new double[rounds];
                double[] incr = new double[rounds];
                double[] script = new double[rounds];
                long requests = 0;
                for (int r = 0; r < rounds; r++) {
                    ours[r] = decisionsPerSecond(limiter, clients, duration);
                    requests = smoke ? 20_000 : Math.max(50_000, (long) (ours[r] * duration.toSeconds()));
                    incr[r] = redisBenchmark(redis, clients, requests, "INCR", "-t", "incr");
                    script[r] = redisBenchmark(redis, clients, requests, "EVALSHA", "evalsha", scriptSha, "1",
                            scriptKey, "100000000000", "60000", "1", "0", "99999999999999"); // far deadline: TIME read, as ours
                }
                String conditions = "median of " + rounds + " alternating rounds of " + duration.toSeconds()
                        + " s; ours: " + clients + " threads calling tryAcquire (one fixed-window limit: EVALSHA of"
                        + " a Lua script, INCRBY inside) through our Java client on one shared Lettuce connection;"
                        + " baseline: a plain INCR from the C client redis-benchmark over " + clients
                        + " connections, no -P; same server, same run; " + Runtime.getRuntime().availableProcessors()
                        + " cores shared by clients and server (and, here, other load)";
                measures.add(Measure.ratioAtLeast("rate-limit decisions/s, one hot key, " + clients + " threads",
                        "ops/s", median(ours), median(incr), "redis-benchmark -t incr -c " + clients + " -n "
                                + requests, 0.7, conditions));
                double s = median(script);
                measures.add(new Measure("(reference) the decision script alone, redis-benchmark -c " + clients,
                        "ops/s", s, median(incr), "redis-benchmark -t incr -c " + clients, "(reported)", true,
                        "redis-benchmark evalsha of rate_limit_fw.lua -c " + clients + " vs its INCR, same rounds:"
                                + " the server cost of the script without our Java client"));
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

    /** Runs redis-benchmark and reads requests/s of the CSV line that starts with {@code test} (case-insensitive). */
    private static double redisBenchmark(RedisServer redis, int clients, long requests, String test,
                                         String... command) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of("redis-benchmark", "-h", redis.host(), "-p",
                String.valueOf(redis.port()), "-c", String.valueOf(clients), "-n", String.valueOf(requests), "--csv"));
        argv.addAll(List.of(command));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("redis-benchmark failed: " + out);
        }
        for (String line : out.split("\\R")) {
            if (line.toUpperCase(java.util.Locale.ROOT).startsWith("\"" + test)) {
                String[] cells = line.split("\",\"");
                return Double.parseDouble(cells[1].replace("\"", ""));
            }
        }
        throw new IllegalStateException("no " + test + " line in redis-benchmark output: " + out);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = RedisLimiterBenchmark.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return in.readAllBytes();
        }
    }

    private static String sha1Hex(byte[] bytes) throws java.security.NoSuchAlgorithmException {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-1").digest(bytes));
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
