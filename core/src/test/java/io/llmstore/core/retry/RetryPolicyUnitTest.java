package io.llmstore.core.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmstore.core.config.RetrySettings;
import io.llmstore.core.error.ConnectionException;
import io.llmstore.core.error.QueryException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetryPolicyUnitTest {
    private final RetryPolicy policy = RetryPolicy.of(new RetrySettings(4, Duration.ofMillis(1), 2.0, Duration.ofMillis(5), 0.5));

    @Test
    void retryableFailuresAreRetriedUntilSuccess() {
        AtomicInteger calls = new AtomicInteger();

        String result = policy.call("op", () -> {
            if (calls.incrementAndGet() < 3) {
                throw new ConnectionException("connection reset");
            }
            return "ok";
        });

        assertThat(result).isEqualTo("ok");
        assertThat(calls).hasValue(3);
    }

    @Test
    void nonRetryableFailuresPropagateAfterOneAttempt() {
        AtomicInteger calls = new AtomicInteger();

        assertThatThrownBy(() -> policy.call("op", () -> {
            calls.incrementAndGet();
            throw new QueryException("syntax error", null, "42601", false);
        })).isInstanceOf(QueryException.class);

        assertThat(calls).hasValue(1);
    }

    @Test
    void exhaustedRetriesRethrowTheLastFailure() {
        AtomicInteger calls = new AtomicInteger();

        assertThatThrownBy(() -> policy.call("op", () -> {
            throw new ConnectionException("down #" + calls.incrementAndGet());
        })).isInstanceOf(ConnectionException.class).hasMessage("down #4");
    }

    @Test
    void connectRetriesEverythingAndSaysHowManyAttempts() {
        AtomicInteger calls = new AtomicInteger();

        assertThatThrownBy(() -> policy.connect("PostgreSQL", () -> {
            calls.incrementAndGet();
            throw new IllegalStateException("password authentication failed");
        })).isInstanceOf(ConnectionException.class)
                .hasMessage("PostgreSQL connection failed after 4 attempts: password authentication failed");
        assertThat(calls).hasValue(4);
    }

    @Test
    void oneRetryServesEveryCallOfThePolicySoItsCountersAccumulateAcrossCalls() {
        RetryPolicy fresh = RetryPolicy.of(new RetrySettings(3, Duration.ofMillis(1), 2.0, Duration.ofMillis(2), 0));
        AtomicInteger attempts = new AtomicInteger();

        fresh.call("first try", () -> "ok");
        fresh.call("second try", () -> {
            if (attempts.incrementAndGet() < 2) {
                throw new ConnectionException("connection reset");
            }
            return "ok";
        });
        assertThatThrownBy(() -> fresh.run("always down", () -> {
            throw new ConnectionException("down");
        })).isInstanceOf(ConnectionException.class).hasMessage("down");
        assertThatThrownBy(() -> fresh.run("bad statement", () -> {
            throw new QueryException("syntax error", null, "42601", false);
        })).isInstanceOf(QueryException.class);
        for (int i = 0; i < 100; i++) {
            fresh.call("again", () -> "ok");
        }

        // A Retry built per call would start from zero each time; one Retry per policy counts all 104 calls.
        assertThat(fresh.stats()).isEqualTo(new RetryPolicy.Stats(101, 1, 1, 1));
    }

    @Test
    void connectAttemptsAreNotCountedAsCalls() {
        RetryPolicy fresh = RetryPolicy.of(new RetrySettings(2, Duration.ofMillis(1), 2.0, Duration.ofMillis(2), 0));

        assertThatThrownBy(() -> fresh.connect("Redis", () -> {
            throw new IllegalStateException("refused");
        })).isInstanceOf(ConnectionException.class).hasMessage("Redis connection failed after 2 attempts: refused");

        assertThat(fresh.stats()).isEqualTo(new RetryPolicy.Stats(0, 0, 0, 0));
    }

    @Test
    void noneIsOneSharedSingleAttemptPolicy() {
        AtomicInteger calls = new AtomicInteger();

        assertThat(RetryPolicy.none()).isSameAs(RetryPolicy.none());
        assertThatThrownBy(() -> RetryPolicy.none().run("op", () -> {
            calls.incrementAndGet();
            throw new ConnectionException("down");
        })).isInstanceOf(ConnectionException.class);
        assertThat(calls).hasValue(1);
    }
}
