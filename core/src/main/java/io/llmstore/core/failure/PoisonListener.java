package io.llmstore.core.failure;

/**
 * Hears about an item (a usage row, an event) the backend refused for its own data: it was not stored and will not be
 * retried. One contract for every writer that isolates poison rows with {@link PoisonIsolation}.
 *
 * <p>Called on the writing thread (a flusher, a consumer), once per refused item, after its neighbours were stored or
 * are being stored; it must not block for long. An exception it throws is logged and ignored: the item is still
 * reported as poison and the writer carries on.
 *
 * @param <T> the item type
 */
@FunctionalInterface
public interface PoisonListener<T> {
    /**
     * {@code item} was refused for its data.
     *
     * @param cause why: an {@link IllegalArgumentException} naming the field (a per-row validation failure) or a
     *              {@link io.llmstore.core.error.QueryException#isDataError() data-error}
     *              {@link io.llmstore.core.error.QueryException} (see {@link PoisonIsolation#isPoison})
     */
    void onPoison(T item, RuntimeException cause);
}
