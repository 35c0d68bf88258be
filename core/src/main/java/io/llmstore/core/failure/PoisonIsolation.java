package io.llmstore.core.failure;

import io.llmstore.core.error.QueryException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores a batch through a store function and, when the batch is refused for its data, bisects it: each half is
 * stored on its own, a refused half is split again, until every refused row stands alone and is reported to a
 * {@link PoisonListener}. A batch of n rows with one poison row costs about 2·log2(n) extra store calls instead of
 * n (row by row).
 *
 * <p>Only a refusal for the data itself ({@link #isPoison}) splits a batch. Any other failure (a lost connection,
 * a missing table, an unexpected exception from an encoder) stops the isolation at once and is returned in the
 * {@link Outcome} with the rows not yet resolved, in their original order, so the caller keeps and retries exactly
 * those: rows already stored or reported are never stored or reported twice by a retry of the outcome's
 * {@link Outcome#pending()}.
 *
 * <p>The store function must be idempotent when a caller replays a batch after an ambiguous failure; it is called
 * on the calling thread with sub-lists of the batch it must not keep. Stateless and thread-safe.
 */
public final class PoisonIsolation {
    private static final Logger log = LoggerFactory.getLogger(PoisonIsolation.class);

    private PoisonIsolation() {
    }

    /**
     * What one {@link #store} did.
     *
     * @param stored  rows the store function accepted
     * @param poison  rows refused for their data and reported to the listener
     * @param pending rows neither stored nor reported, in batch order; empty unless {@code failure} is set
     * @param failure the non-poison failure that stopped the isolation, or null when every row was resolved
     * @param <T>     the item type
     */
    public record Outcome<T>(int stored, int poison, List<T> pending, RuntimeException failure) {
        /** True when every row of the batch was stored or reported as poison. */
        public boolean isComplete() {
            return failure == null;
        }
    }

    /**
     * True when {@code e} says the data of the rows was refused, so storing the same rows again would fail again:
     * an {@link IllegalArgumentException} (a per-row validation failure naming the field), or a
     * {@link QueryException} the adapter marked {@link QueryException#isDataError() a data error} (for PostgreSQL:
     * SQLState classes 22 and 23, decided in the adapter).
     */
    public static boolean isPoison(Throwable e) {
        if (e instanceof IllegalArgumentException) {
            return true;
        }
        return e instanceof QueryException q && q.isDataError();
    }

    /**
     * Stores {@code batch} with {@code store}, isolating poison rows by bisection and reporting each to
     * {@code listener}. Never throws what {@code store} throws: a non-poison failure is returned in the outcome.
     *
     * @param what a name for the log ("usage batch", "sink batch")
     */
    public static <T> Outcome<T> store(String what, List<T> batch, Consumer<List<T>> store, PoisonListener<T> listener) {
        Objects.requireNonNull(batch, "batch");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(listener, "listener");
        int stored = 0;
        int poison = 0;
        Deque<List<T>> parts = new ArrayDeque<>();
        if (!batch.isEmpty()) {
            parts.push(batch);
        }
        while (!parts.isEmpty()) {
            List<T> part = parts.pop();
            try {
                store.accept(Collections.unmodifiableList(part));
                stored += part.size();
            } catch (RuntimeException e) {
                if (!isPoison(e)) {
                    List<T> pending = new ArrayList<>(part);
                    parts.forEach(pending::addAll);
                    return new Outcome<>(stored, poison, List.copyOf(pending), e);
                }
                if (part.size() == 1) {
                    poison++;
                    report(listener, part.get(0), e);
                } else {
                    if (part.size() == batch.size()) {
                        log.info("{} of {} rows refused for its data ({}); bisecting to isolate the poison rows",
                                what, part.size(), e.getMessage());
                    }
                    int mid = part.size() / 2;
                    parts.push(part.subList(mid, part.size()));
                    parts.push(part.subList(0, mid));
                }
            }
        }
        return new Outcome<>(stored, poison, List.of(), null);
    }

    private static <T> void report(PoisonListener<T> listener, T item, RuntimeException cause) {
        try {
            listener.onPoison(item, cause);
        } catch (RuntimeException e) {
            log.warn("poison-row listener failed; the row stays reported as poison", e);
        }
    }

    /** Describes a failure for stats and health: its type and message, never more than 500 characters. */
    public static String describe(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage();
        return m.length() <= 500 ? m : m.substring(0, 500) + "...";
    }
}
