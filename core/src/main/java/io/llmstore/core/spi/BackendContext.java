package io.llmstore.core.spi;

import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.retry.RetryPolicy;
import java.time.Clock;
import java.util.Optional;

/**
 * What a backend gets when it opens: the configuration, the shared retry policy, the clock, and the ports of the
 * backends opened before it (the Kafka sink finds the {@code UsageWriter} here).
 *
 * @param config the resolved configuration
 * @param retry  the retry policy from {@code DB_RETRY_*}
 * @param clock  time source for windows, flush timers and schedules
 * @param ports  lookup across backends already open
 */
public record BackendContext(StorageConfig config, RetryPolicy retry, Clock clock, PortLookup ports) {
    /** Looks up a port across the backends opened so far. */
    @FunctionalInterface
    public interface PortLookup {
        <T> Optional<T> find(Class<T> type);
    }
}
