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
 */
public final class RetryPolicy {
    private static final Logger log = LoggerFactory.getLogger(RetryPolicy.class);

    private final RetrySettings settings;
    private final IntervalFunction interval;

    private RetryPolicy(RetrySettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        long initial = settings.initialBackoff().toMillis();
        long max = settings.maxBackoff().toMillis();
        this.interval = settings.jitter() > 0
                ? IntervalFunction.ofExponentialRandomBackoff(initial, settings.multiplier(), settings.jitter(), max)
                : IntervalFunction.ofExponentialBackoff(initial, settings.multiplier(), max);
    }

    public static RetryPolicy of(RetrySettings settings) {
        return new RetryPolicy(settings);
    }

    /** One attempt, no retry: for callers that must not wait. */
    public static RetryPolicy none() {
        return new RetryPolicy(new RetrySettings(1, java.time.Duration.ofMillis(1), 1.0, java.time.Duration.ofMillis(1), 0));
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
        return execute(operation, action, e -> e instanceof StorageException se && se.isRetryable());
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
            return execute(backend + " connect", action, e -> e instanceof RuntimeException);
        } catch (RuntimeException e) {
            String cause = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new ConnectionException(backend + " connection failed after " + settings.maxAttempts()
                    + (settings.maxAttempts() == 1 ? " attempt: " : " attempts: ") + cause, e);
        }
    }

    private <T> T execute(String operation, Supplier<T> action, Predicate<Throwable> retryable) {
        Objects.requireNonNull(action, "action");
        if (settings.maxAttempts() == 1) {
            return action.get();
        }
        RetryConfig config = RetryConfig.custom()
                .maxAttempts(settings.maxAttempts())
                .intervalFunction(interval)
                .retryOnException(retryable)
                .failAfterMaxAttempts(false)
                .build();
        Retry retry = Retry.of(operation, config);
        retry.getEventPublisher().onRetry(event -> log.debug("{}: attempt {} of {} failed, retrying in {} ms: {}",
                operation, event.getNumberOfRetryAttempts(), settings.maxAttempts(),
                event.getWaitInterval().toMillis(), String.valueOf(event.getLastThrowable())));
        return Retry.decorateSupplier(retry, action).get();
    }

    @Override
    public String toString() {
        return "RetryPolicy" + settings;
    }
}
