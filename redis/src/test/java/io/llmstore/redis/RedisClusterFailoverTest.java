package io.llmstore.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.llmstore.core.StoragePool;
import io.llmstore.core.cache.PromptKeys;
import io.llmstore.core.health.HealthStatus;
import io.llmstore.core.ratelimit.Decision;
import io.llmstore.core.ratelimit.FailurePolicy;
import io.llmstore.core.ratelimit.RateLimit;
import io.llmstore.core.ratelimit.RateLimitPolicy;
import io.llmstore.core.ratelimit.RateLimiter;
import io.llmstore.testkit.TestServers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A Redis Cluster master killed (SIGKILL) under load: while its slots have no master, the cache fails open (every
 * caller still gets its answer), limiters on those slots decide by their failure policy, and no call throws or hangs;
 * once the cluster promotes the dead master's replica (the lane's cluster-node-timeout is 2 s), Lettuce's adaptive
 * topology refresh finds it and Redis decides again, within the stated bound of node timeout + 10 s. Keys on the other
 * masters: with Redis's default {@code cluster-require-full-coverage yes} (the lane keeps it) every node answers
 * CLUSTERDOWN from the moment the master is marked FAIL until the promotion, so they too are decided by policy for
 * that window, never by an exception.
 */
class RedisClusterFailoverTest {
    private static final Duration COMMAND_TIMEOUT = Duration.ofMillis(500);
    /** The lane's cluster-node-timeout (scripts/test-servers) plus 10 s for election, refresh and a loaded machine. */
    private static final Duration RECOVERY_BOUND = Duration.ofSeconds(12);

    private record Op(long atNanos, String what, boolean fromRedis, boolean allowed, long latencyNanos) {
    }

    @Test
    void killingAMasterUnderLoadFailsOpenOnItsSlotsOnlyAndRecoversAfterThePromotion() throws Exception {
        String prefix = RedisTestPools.newPrefix();
        RedisClusterClient raw = RedisClusterTestPools.rawClient();
        try (StoragePool pool = StoragePool.create(RedisClusterTestPools.config(prefix)
                .set("REDIS_COMMAND_TIMEOUT", COMMAND_TIMEOUT.toMillis() + "ms").build())) {
            String victimUser = "victim-" + UUID.randomUUID();
            RedisClusterNode victim = RedisClusterTestPools.masterOf(raw, prefix + "ratelimit:{" + victimUser + "}:rpm");
            String bystander = null;
            for (int i = 0; bystander == null; i++) {
                String u = "bystander-" + i + "-" + UUID.randomUUID();
                if (!RedisClusterTestPools.masterOf(raw, prefix + "ratelimit:{" + u + "}:rpm").getNodeId()
                        .equals(victim.getNodeId())) {
                    bystander = u;
                }
            }
            String prompt = null;
            for (int i = 0; prompt == null; i++) {
                String p = "prompt " + i + " " + victimUser;
                if (RedisClusterTestPools.masterOf(raw, PromptKeys.responseKey(prefix, "m", p)).getNodeId()
                        .equals(victim.getNodeId())) {
                    prompt = p;
                }
            }
            RateLimit rpm = RateLimit.of("rpm", 1_000_000_000L, Duration.ofMinutes(1));
            RateLimiter open = pool.limits().limiter(RateLimitPolicy.of(rpm));
            RateLimiter closed = pool.limits().limiter(
                    RateLimitPolicy.of(rpm).withFailurePolicy(FailurePolicy.FAIL_CLOSED));
            assertThat(closed.tryAcquire(victimUser).backendUnavailable()).isFalse();
            assertThat(pool.healthCheck().status()).isEqualTo(HealthStatus.UP);

            // Load: 3 threads deciding for the victim's and a bystander's key and reading the victim's prompt.
            ConcurrentLinkedQueue<Op> ops = new ConcurrentLinkedQueue<>();
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong llmCalls = new AtomicLong();
            String finalPrompt = prompt;
            String finalBystander = bystander;
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                int kind = t;
                Thread thread = new Thread(() -> {
                    try {
                        while (!stop.get()) {
                            long t0 = System.nanoTime();
                            if (kind == 0) {
                                Decision o = open.tryAcquire(victimUser);
                                ops.add(new Op(t0, "open", !o.backendUnavailable(), o.allowed(), System.nanoTime() - t0));
                                long t1 = System.nanoTime();
                                Decision c = closed.tryAcquire(victimUser);
                                ops.add(new Op(t1, "closed", !c.backendUnavailable(), c.allowed(), System.nanoTime() - t1));
                            } else if (kind == 1) {
                                Decision b = closed.tryAcquire(finalBystander);
                                ops.add(new Op(t0, "bystander", !b.backendUnavailable(), b.allowed(), System.nanoTime() - t0));
                            } else {
                                String answer = pool.cache().getOrCompute("m", finalPrompt, Duration.ofMinutes(5), () -> {
                                    llmCalls.incrementAndGet();
                                    return "the answer";
                                });
                                ops.add(new Op(t0, "cache", true, "the answer".equals(answer), System.nanoTime() - t0));
                            }
                            Thread.sleep(2);
                        }
                    } catch (Throwable e) {
                        thrown.compareAndSet(null, e);
                    }
                }, "load-" + t);
                thread.start();
                threads.add(thread);
            }

            long killedAt;
            long recoveredAt;
            try {
                Thread.sleep(500);
                killedAt = System.nanoTime();
                RedisClusterTestPools.kill(victim.getUri().getPort());
                // Recovered: the FAIL_CLOSED limiter on the victim's slot is decided by Redis again.
                await().atMost(RECOVERY_BOUND).pollInterval(Duration.ofMillis(50)).until(() ->
                        ops.stream().anyMatch(op -> op.what().equals("closed") && op.atNanos() > killedAt
                                && !op.fromRedis())
                                && ops.stream().anyMatch(op -> op.what().equals("closed")
                                && op.atNanos() > lastFailure(ops, "closed") && op.fromRedis()));
                recoveredAt = System.nanoTime();
                Thread.sleep(500);
            } finally {
                stop.set(true);
                for (Thread t : threads) {
                    t.join(10_000);
                }
            }
            try {
                assertThat(thrown.get()).as("a call threw").isNull();
                List<Op> all = new ArrayList<>(ops);
                List<Op> outage = all.stream().filter(op -> op.atNanos() > killedAt && op.atNanos() < recoveredAt).toList();
                // While the slots had no master: FAIL_OPEN allowed, FAIL_CLOSED denied, both saying Redis did not decide.
                assertThat(outage).anyMatch(op -> op.what().equals("open") && !op.fromRedis());
                assertThat(outage).filteredOn(op -> op.what().equals("open") && !op.fromRedis()).allMatch(Op::allowed);
                assertThat(outage).filteredOn(op -> op.what().equals("closed") && !op.fromRedis()).allMatch(op -> !op.allowed());
                // The cache answered every call, and the cache's Redis errors were counted, not thrown.
                assertThat(all).filteredOn(op -> op.what().equals("cache")).isNotEmpty().allMatch(Op::allowed);
                assertThat(pool.cache().stats().errors()).isPositive();
                // The other masters' slots: served by Redis, or (CLUSTERDOWN while the cluster had an uncovered slot)
                // refused by the FAIL_CLOSED policy; back to Redis after the promotion.
                List<Op> bystanders = all.stream().filter(op -> op.what().equals("bystander")).toList();
                assertThat(bystanders).isNotEmpty().allMatch(op -> op.fromRedis() || !op.allowed());
                assertThat(bystanders.get(bystanders.size() - 1).fromRedis()).isTrue();
                long bystanderDownMs = bystanders.stream().filter(op -> !op.fromRedis()).count() == 0 ? 0
                        : (bystanders.stream().filter(op -> !op.fromRedis()).mapToLong(Op::atNanos).max().getAsLong()
                        - bystanders.stream().filter(op -> !op.fromRedis()).mapToLong(Op::atNanos).min().getAsLong())
                        / 1_000_000;
                // Nothing waited much beyond one command timeout (commands to the dead node are refused at once).
                long worstMs = all.stream().mapToLong(Op::latencyNanos).max().orElse(0) / 1_000_000;
                assertThat(worstMs).isLessThan(2 * COMMAND_TIMEOUT.toMillis() + 1_000);
                long firstFailureMs = (all.stream().filter(op -> !op.fromRedis()).mapToLong(Op::atNanos).min()
                        .orElse(killedAt) - killedAt) / 1_000_000;
                System.out.printf("cluster failover: master %s killed; decisions on its slots by policy from +%d ms,"
                        + " by Redis again %d ms after the kill; %d decisions during the outage, worst call %d ms,"
                        + " %d LLM calls; other masters' keys by policy for %d ms (CLUSTERDOWN)%n",
                        victim.getUri().getPort(), firstFailureMs, (recoveredAt - killedAt) / 1_000_000, outage.size(),
                        worstMs, llmCalls.get(), bystanderDownMs);

                // After the promotion: every feature on the victim's slots is served by the new master.
                RedisClusterNode promoted = RedisClusterTestPools.masterOf(raw, prefix + "ratelimit:{" + victimUser + "}:rpm");
                assertThat(promoted.getNodeId()).isNotEqualTo(victim.getNodeId());
                assertThat(closed.tryAcquire(victimUser).allowed()).isTrue();
                pool.cache().put("m", prompt, "after failover", Duration.ofMinutes(5));
                assertThat(pool.cache().get("m", prompt)).contains("after failover");
                await().atMost(RECOVERY_BOUND).until(() -> pool.healthCheck().status() == HealthStatus.UP);
            } finally {
                // The killed node comes back as a replica of the promoted one; the script waits for 3 + 3 again.
                TestServers.start("redis-cluster");
            }
        } finally {
            raw.shutdown();
        }
    }

    private static long lastFailure(ConcurrentLinkedQueue<Op> ops, String what) {
        return ops.stream().filter(op -> op.what().equals(what) && !op.fromRedis()).mapToLong(Op::atNanos).max()
                .orElse(Long.MAX_VALUE);
    }
}
