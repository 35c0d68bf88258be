package io.llmstore.core.gateway;

import java.time.Duration;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * The second cache tier the gateway shares across instances, with the invalidation channel; implemented by the
 * Redis adapter. Values are JSON text. A failure of the tier must not fail a lookup: implementations throw
 * {@link io.llmstore.core.error.StorageException}, and the gateway then reads the database.
 */
public interface SharedCacheTier {
    /** The value of {@code key} in {@code cache}; empty when absent. */
    Optional<String> get(String cache, String key);

    /** Stores {@code json} for {@code ttl}. */
    void put(String cache, String key, String json, Duration ttl);

    /** Deletes {@code key} from the shared tier and tells every subscribed instance to drop it locally. */
    void invalidate(String cache, String key);

    /** Calls {@code listener(cache, key)} for every invalidation any instance publishes, this one included. */
    void subscribe(BiConsumer<String, String> listener);

    /** How long after {@link #invalidate} returns another connected instance has dropped the entry, at most. */
    Duration invalidationBound();
}
