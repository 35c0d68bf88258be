package io.llmstore.core.failure;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmstore.core.error.ConnectionException;
import io.llmstore.core.error.QueryException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The shared bisection, over a store function that refuses some numbers the way a table refuses rows. */
class PoisonIsolationUnitTest {
    private static List<Integer> numbers(int n) {
        return IntStream.range(0, n).boxed().toList();
    }

    @Test
    void eachRefusedRowIsReportedOnceAndEveryOtherRowIsStoredInLogarithmicallyFewCalls() {
        Set<Integer> bad = Set.of(17, 4_321);
        List<Integer> stored = new ArrayList<>();
        List<Integer> reported = new ArrayList<>();
        AtomicInteger calls = new AtomicInteger();

        PoisonIsolation.Outcome<Integer> outcome = PoisonIsolation.store("test", numbers(5_000), part -> {
            calls.incrementAndGet();
            if (part.stream().anyMatch(bad::contains)) {
                throw QueryException.dataError("value out of range [SQLState 22003]", null, "22003");
            }
            stored.addAll(part);
        }, (row, cause) -> reported.add(row));

        assertThat(outcome.isComplete()).isTrue();
        assertThat(outcome.stored()).isEqualTo(4_998);
        assertThat(outcome.poison()).isEqualTo(2);
        assertThat(reported).containsExactly(17, 4_321);
        assertThat(stored).hasSize(4_998).doesNotContainAnyElementsOf(bad).isSorted();
        assertThat(calls.get()).as("store calls (row by row would be 5,000)").isLessThan(60);
    }

    @Test
    void aFailureThatIsNotTheDatasFaultStopsAndReturnsExactlyTheUnresolvedRowsInOrder() {
        AtomicInteger calls = new AtomicInteger();
        List<Integer> reported = new ArrayList<>();
        PoisonIsolation.Outcome<Integer> outcome = PoisonIsolation.store("test", numbers(8), part -> {
            // The whole batch is refused for row 1; then the connection goes away while halves are written.
            int call = calls.incrementAndGet();
            if (part.contains(1)) {
                throw new IllegalArgumentException("time must be between ..., was +10000-01-01T00:00:00Z");
            }
            if (call >= 5) {
                throw new ConnectionException("PostgreSQL connection lost");
            }
        }, (row, cause) -> reported.add(row));

        // [0..7] refused -> [0..3] refused -> [0,1] refused -> [0] stored, [1] poison -> [2,3] fails: connection.
        assertThat(outcome.isComplete()).isFalse();
        assertThat(outcome.failure()).isInstanceOf(ConnectionException.class);
        assertThat(outcome.stored()).isEqualTo(1);
        assertThat(reported).containsExactly(1);
        assertThat(outcome.pending()).containsExactly(2, 3, 4, 5, 6, 7);
    }

    @Test
    void onlyDataRefusalsArePoison() {
        assertThat(PoisonIsolation.isPoison(new IllegalArgumentException("costUsd must be >= 0"))).isTrue();
        assertThat(PoisonIsolation.isPoison(QueryException.dataError("x", null, "23502"))).isTrue();
        assertThat(PoisonIsolation.isPoison(QueryException.dataError("x", null, null))).as("the adapter's flag, not a code")
                .isTrue();
        assertThat(PoisonIsolation.isPoison(new QueryException("x", null, "42P01", false))).as("missing table").isFalse();
        assertThat(PoisonIsolation.isPoison(new QueryException("x", null, "22003", false)))
                .as("core reads no SQLState: only the adapter's data-error flag counts").isFalse();
        assertThat(PoisonIsolation.isPoison(new QueryException("x", null, "40001", true))).isFalse();
        assertThat(PoisonIsolation.isPoison(new ConnectionException("lost"))).isFalse();
        assertThat(PoisonIsolation.isPoison(new java.time.DateTimeException("encoder"))).as("not the row's fault")
                .isFalse();
    }
}
