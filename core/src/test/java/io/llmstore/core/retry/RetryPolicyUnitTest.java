package io.llmstore.core.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmstore.core.config.RetrySettings;
import io.llmstore.core.error.ConnectionException;
import io.llmstore.core.error.QueryException;
import io.llmstore.core.error.SqlStates;
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
    void sqlStatesRetryableAreConnectionSerializationDeadlockAndShutdown() {
        assertThat(SqlStates.isRetryable("08006")).isTrue();
        assertThat(SqlStates.isRetryable("40001")).isTrue();
        assertThat(SqlStates.isRetryable("40P01")).isTrue();
        assertThat(SqlStates.isRetryable("57P01")).isTrue();
        assertThat(SqlStates.isRetryable("57P03")).isTrue();
        assertThat(SqlStates.isRetryable("23505")).isFalse();
        assertThat(SqlStates.isRetryable("42601")).isFalse();
        assertThat(SqlStates.isRetryable(null)).isFalse();
    }
}
