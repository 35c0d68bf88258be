package io.llmstore.core.retry;

import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.llmstore.core.config.RetrySettings;
import io.llmstore.core.error.ConnectionException;
import io.llmstore.core.error.StorageException;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries what is worth retrying, with exponential backoff and jitter, on resilience4j-retry. Every adapter uses
 * one of these, built from {@link RetrySettings} ({@code DB_RETRY_*}). Immutable and thread-safe.
 *
 * <p>{@link #call} retries only a {@link StorageException} whose {@link StorageException#isRetryable()} is true and
 * rethrows the last failure unchanged once attempts run out; anything else propagates at once. Each retry is
 * logged at DEBUG with the attempt number.
 *
 * <p>The resilience4j {@code Retry} objects (and their {@code RetryConfig}) are built once, in {@link #of}: one for
 * {@link #call}/{@link #run}, one for {@link #connect}. A call only takes a fresh {@code Retry.Context} from them, so
 * a policy held by a writer costs no allocation of configuration per call, and {@link #stats()} counts every call
 * the policy ever made.
 */
public final class RetryPolicy {
    private static final Logger log = LoggerFactory.getLogger(RetryPolicy.class);

    private final RetrySettings settings;
    private final IntervalFunction interval;
    // Built once per policy (a Retry is thread-safe; each call gets its own Retry.Context): one for calls, which
    // retries only retryable StorageExceptions, one for start-up connects, which retries every failure.
    private final Retry calls;
    private final Retry connects;

    private RetryPolicy(RetrySettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        long initial = settings.initialBackoff().toMillis();
        long max = settings.maxBackoff().toMillis();
        this.interval = settings.jitter() > 0
                ? IntervalFunction.ofExponentialRandomBackoff(initial, settings.multiplier(), settings.jitter(), max)
                : IntervalFunction.ofExponentialBackoff(initial, settings.multiplier(), max);
        this.calls = retry("llmstore-call", e -> e instanceof StorageException se && se.isRetryable());
        this.connects = retry("llmstore-connect", e -> e instanceof RuntimeException);
    }

    private Retry retry(String name, Predicate<Throwable> retryable) {
        return Retry.of(name, RetryConfig.custom()
                .maxAttempts(settings.maxAttempts())
                .intervalFunction(interval)
                .retryOnException(retryable)
                .failAfterMaxAttempts(false)
                .build());
    }

    private static final RetryPolicy NONE =
            new RetryPolicy(new RetrySettings(1, java.time.Duration.ofMillis(1), 1.0, java.time.Duration.ofMillis(1), 0));

    /**
     * Counters of {@link #call} and {@link #run} since the policy was built (start-up {@link #connect}s not
     * included), from its resilience4j {@code Retry.Metrics}. A policy of one attempt ({@link #none()}) runs the
     * action directly and counts nothing.
     *
     * @param succeededWithoutRetry calls whose first attempt succeeded
     * @param succeededAfterRetry   calls that succeeded after one or more retries
     * @param failedAfterRetry      calls that failed on their last allowed attempt, after retries
     * @param failedWithoutRetry    calls that failed at once with a failure not worth retrying
     */
    public record Stats(long succeededWithoutRetry, long succeededAfterRetry, long failedAfterRetry,
                        long failedWithoutRetry) {
    }

    /** A policy for {@code settings}; builds its resilience4j {@code Retry} objects now, once. */
    public static RetryPolicy of(RetrySettings settings) {
        return new RetryPolicy(settings);
    }

    /** One attempt, no retry: for callers that must not wait. One shared instance. */
    public static RetryPolicy none() {
        return NONE;
    }

    /** What this policy's calls did since it was built; see {@link Stats}. Thread-safe, never blocks. */
    public Stats stats() {
        Retry.Metrics m = calls.getMetrics();
        return new Stats(m.getNumberOfSuccessfulCallsWithoutRetryAttempt(), m.getNumberOfSuccessfulCallsWithRetryAttempt(),
                m.getNumberOfFailedCallsWithRetryAttempt(), m.getNumberOfFailedCallsWithoutRetryAttempt());
    }

    public RetrySettings settings() {
        return settings;
    }

    /**
     * Runs {@code action}, retrying retryable {@link StorageException}s.
     *
     * @param operation what is being done, for the DEBUG log ("insert usage batch")
     */
    public <T> T call(String operation, Supplier<T> action) {
        return execute(operation, action, calls);
    }

    /** {@link #call} for an action with no result. */
    public void run(String operation, Runnable action) {
        call(operation, () -> {
            action.run();
            return null;
        });
    }

    /**
     * Establishes a connection at start-up: retries <em>every</em> failure (the server may still be starting, a
     * password may be rotating) and, when attempts run out, throws a {@link ConnectionException}
     * "{@code <backend>} connection failed after N attempts: cause".
     *
     * @param backend "PostgreSQL", "Redis", "Kafka"
     */
    public <T> T connect(String backend, Supplier<T> action) {
        try {
            return execute(backend + " connect", action, connects);
        } catch (RuntimeException e) {
            String cause = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new ConnectionException(backend + " connection failed after " + settings.maxAttempts()
                    + (settings.maxAttempts() == 1 ? " attempt: " : " attempts: ") + cause, e);
        }
    }

    /**
     * The wait before retry number {@code attempt} (1 = the first retry): the policy's exponential backoff with
     * jitter, capped at {@code maxBackoff}. For callers that retry on their own schedule (a flusher thread, a
     * consumer that keeps polling while it waits) rather than blocking in {@link #call}.
     */
    public java.time.Duration backoff(long attempt) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be >= 1, was " + attempt);
        }
        long millis = interval.apply((int) Math.min(attempt, 30));
        return java.time.Duration.ofMillis(Math.max(1, Math.min(millis, settings.maxBackoff().toMillis())));
    }

    private <T> T execute(String operation, Supplier<T> action, Retry retry) {
        Objects.requireNonNull(action, "action");
        if (settings.maxAttempts() == 1) {
            return action.get();
        }
        Retry.Context<T> context = retry.context();
        for (int attempt = 1; ; attempt++) {
            try {
                T result = action.get();
                context.onComplete();
                return result;
            } catch (RuntimeException e) {
                // Rethrows e when it is not retryable or attempts ran out; otherwise waits the backoff.
                context.onRuntimeError(e);
                log.debug("{}: attempt {} of {} failed, retrying: {}", operation, attempt, settings.maxAttempts(),
                        String.valueOf(e));
            }
        }
    }

    @Override
    public String toString() {
        return "RetryPolicy" + settings;
    }
}
