package io.llmstore.core.internal;

import io.llmstore.core.health.ComponentHealth;
import io.llmstore.core.health.HealthCheck;
import io.llmstore.core.health.HealthStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs health checks all at once, each on its own thread, and waits for each at most its
 * {@link HealthCheck#timeout()} (plus {@link #SLACK}) counted from the common start: a report takes the largest
 * timeout, not the sum of them, and a check that does not answer in time is DOWN ("no answer within ...") and is
 * interrupted. Thread-safe; {@link #close()} stops the threads (checks then run on the caller's thread).
 */
public final class ConcurrentHealthChecks implements AutoCloseable {
    /** Scheduling and thread start-up on a loaded machine; small next to any backend timeout. */
    public static final Duration SLACK = Duration.ofMillis(250);

    private final ExecutorService executor;

    public ConcurrentHealthChecks() {
        AtomicInteger n = new AtomicInteger();
        // Cached: idle threads die after a minute, and a probe hung past its timeout cannot block the next report.
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "llmstore-health-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** The results, in the order of {@code checks}. */
    public List<ComponentHealth> run(List<HealthCheck> checks) {
        long start = System.nanoTime();
        List<Future<ComponentHealth>> futures = new ArrayList<>(checks.size());
        for (HealthCheck check : checks) {
            try {
                futures.add(executor.submit(check::check));
            } catch (RejectedExecutionException closed) {
                futures.add(null);
            }
        }
        List<ComponentHealth> results = new ArrayList<>(checks.size());
        for (int i = 0; i < checks.size(); i++) {
            HealthCheck check = checks.get(i);
            Future<ComponentHealth> future = futures.get(i);
            if (future == null) {
                results.add(check.check());
                continue;
            }
            long deadline = start + check.timeout().plus(SLACK).toNanos();
            try {
                results.add(future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            } catch (TimeoutException e) {
                future.cancel(true);
                results.add(down(check, start, "no answer within " + check.timeout().toMillis() + " ms"));
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                results.add(down(check, start, cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                future.cancel(true);
                results.add(down(check, start, "health check interrupted"));
            }
        }
        return results;
    }

    private static ComponentHealth down(HealthCheck check, long start, String why) {
        return new ComponentHealth(check.component(), HealthStatus.DOWN, check.isCritical(),
                Duration.ofNanos(System.nanoTime() - start), Optional.of(why));
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
