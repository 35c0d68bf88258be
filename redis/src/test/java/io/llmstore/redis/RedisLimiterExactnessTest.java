package io.llmstore.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmstore.core.StoragePool;
import io.llmstore.core.ratelimit.Decision;
import io.llmstore.core.ratelimit.RateLimit;
import io.llmstore.core.ratelimit.RateLimiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import io.llmstore.core.config.StorageConfig;

/**
 * Two application instances (two pools, two Lettuce clients), 8 threads each, hammer ONE key for several windows:
 * the limit holds exactly, never one permit above, because each decision is one atomic script on the server.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisLimiterExactnessTest {
    private static final int THREADS_PER_INSTANCE = 8;
    private final String prefix = RedisTestPools.newPrefix();
    private StoragePool instanceA;
    private StoragePool instanceB;

    /** The server the two instances share: the standalone one here, a Redis Cluster in the subclass. */
    StorageConfig.Builder config(String prefix) {
        return RedisTestPools.config(prefix);
    }

    @BeforeAll
    void open() {
        instanceA = StoragePool.create(config(prefix).build());
        instanceB = StoragePool.create(config(prefix).build());
    }

    @AfterAll
    void close() {
        instanceA.close();
        instanceB.close();
    }

    @Test
    void sixteenThreadsOnTwoInstancesAdmitExactlyTheLimitInEveryFixedWindow() throws Exception {
        RateLimit limit = RateLimit.of("rps", 50, Duration.ofMillis(1000));
        String key = "hot user " + UUID.randomUUID();
        List<Decision> decisions = hammer(limit, key, Duration.ofMillis(3500));

        // Each admitted call reports the permits left in its window: 49, 48, ..., 0. In every window each of those
        // values occurs once, so W windows show each value W times (the last window may be cut short by the stop).
        Map<Long, Integer> byRemaining = new TreeMap<>();
        decisions.stream().filter(Decision::allowed).forEach(d -> byRemaining.merge(d.remaining(), 1, Integer::sum));
        int windows = byRemaining.getOrDefault(49L, 0);
        assertThat(windows).isGreaterThanOrEqualTo(3);
        assertThat(byRemaining.keySet()).allMatch(r -> r >= 0 && r <= 49);
        for (long r = 0; r < 49; r++) {
            assertThat(byRemaining.getOrDefault(r, 0)).as("admissions with %d left", r)
                    .isBetween(windows - 1, windows)
                    .isLessThanOrEqualTo(byRemaining.getOrDefault(r + 1, 0));
        }
        long admitted = decisions.stream().filter(Decision::allowed).count();
        assertThat(admitted).isLessThanOrEqualTo(50L * windows).isGreaterThanOrEqualTo(50L * (windows - 1) + 1);
        assertThat(decisions).noneMatch(Decision::backendUnavailable);
        assertThat(decisions.size()).as("decisions made").isGreaterThan((int) admitted * 5);
    }

    @Test
    void sixteenThreadsOnTwoInstancesNeverExceedTheTokenBucket() throws Exception {
        // 50 per second: a burst of 50, then one permit every 20 ms.
        RateLimit limit = RateLimit.of("rps", 50, Duration.ofMillis(1000)).withAlgorithm(RateLimit.Algorithm.TOKEN_BUCKET);
        String key = "hot user " + UUID.randomUUID();
        long start = System.nanoTime();
        List<Decision> decisions = hammer(limit, key, Duration.ofMillis(2500));
        double elapsedMs = (System.nanoTime() - start) / 1e6;
        long admitted = decisions.stream().filter(Decision::allowed).count();
        // Upper bound: the burst plus one per 20 ms of the whole run (the run measured from before the first call).
        assertThat(admitted).isLessThanOrEqualTo(50 + (long) Math.ceil(elapsedMs / 20.0));
        // Lower bound: the burst plus the refill over the 2.5 s hammering, less some scheduling slack.
        assertThat(admitted).isGreaterThanOrEqualTo(50 + 2500 / 20 - 10);
    }

    private List<Decision> hammer(RateLimit limit, String key, Duration duration) throws Exception {
        RateLimiter a = instanceA.limits().limiter(limit);
        RateLimiter b = instanceB.limits().limiter(limit);
        ConcurrentLinkedQueue<Decision> decisions = new ConcurrentLinkedQueue<>();
        CountDownLatch go = new CountDownLatch(1);
        long end = System.nanoTime() + duration.toNanos();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < THREADS_PER_INSTANCE * 2; i++) {
            RateLimiter limiter = i % 2 == 0 ? a : b;
            Thread t = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                while (System.nanoTime() < end) {
                    decisions.add(limiter.tryAcquire(key));
                }
            });
            t.start();
            threads.add(t);
        }
        go.countDown();
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(30));
        }
        return new ArrayList<>(decisions);
    }
}
