package io.llmstore.kafka.internal;

import io.llmstore.core.error.BufferFullException;
import io.llmstore.core.error.ConnectionException;
import io.llmstore.core.error.StorageException;
import io.llmstore.core.error.StorageTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.RetriableException;

/** Translates kafka-clients exceptions into llmstore's {@link StorageException} family, once, keeping the cause. */
public final class KafkaErrors {
    private KafkaErrors() {
    }

    /** Waits for an admin future at most {@code timeout}; failures become StorageExceptions naming {@code what}. */
    public static <T> T await(KafkaFuture<T> future, Duration timeout, String what) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw translate(e.getCause(), "Kafka: " + what, timeout);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new StorageTimeoutException("Kafka: " + what + " did not finish within " + timeout.toMillis()
                    + " ms; is the broker reachable?", e);
        } catch (InterruptedException e) {
            throw new StorageException("Kafka: interrupted while waiting to " + what, e, true);
        }
    }

    /**
     * The StorageException for a kafka-clients failure.
     *
     * @param context  what was being done, e.g. "Kafka: publish to llm-events"
     * @param maxBlock the producer's max.block.ms, for messages about blocking bounds
     */
    public static StorageException translate(Throwable error, String context, Duration maxBlock) {
        Throwable e = unwrap(error);
        if (e instanceof StorageException se) {
            return se;
        }
        String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof BufferExhaustedException) {
            return new BufferFullException(context + " failed: the producer's send buffer (KAFKA_PRODUCER_BUFFER_MEMORY) "
                    + "stayed full for " + maxBlock.toMillis() + " ms (KAFKA_PRODUCER_MAX_BLOCK); the broker is slow "
                    + "or unreachable: " + detail, e);
        }
        if (e instanceof org.apache.kafka.common.errors.TimeoutException) {
            if (detail.contains("metadata")) {
                return new ConnectionException(context + " failed: Kafka broker unreachable within " + maxBlock.toMillis()
                        + " ms (KAFKA_PRODUCER_MAX_BLOCK): " + detail, e);
            }
            return new StorageTimeoutException(context + " timed out: " + detail, e);
        }
        if (e instanceof AuthenticationException || e instanceof AuthorizationException) {
            return new StorageException(context + " refused by the broker: " + detail, e, false);
        }
        if (e instanceof RetriableException) {
            return new StorageException(context + " failed (retryable): " + detail, e, true);
        }
        if (e instanceof InterruptedException || e instanceof org.apache.kafka.common.errors.InterruptException) {
            return new StorageException(context + " interrupted", e, true);
        }
        return new StorageException(context + " failed: " + detail, e, false);
    }

    /** True when {@code error} or one of its causes is a {@code type}. */
    public static boolean causeIs(Throwable error, Class<? extends Throwable> type) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    private static Throwable unwrap(Throwable e) {
        while ((e instanceof ExecutionException || e instanceof CompletionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }
}
