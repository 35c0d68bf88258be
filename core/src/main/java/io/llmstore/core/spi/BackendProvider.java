package io.llmstore.core.spi;

import io.llmstore.core.config.StorageConfig;

/**
 * Opens one backend (PostgreSQL, Redis, Kafka). Each backend module registers one in
 * {@code META-INF/services/io.llmstore.core.spi.BackendProvider}; {@code StoragePool.create} finds them with
 * {@link java.util.ServiceLoader} and opens, in {@link #order()}, those that are {@link #isConfigured configured}.
 */
public interface BackendProvider {
    /** "postgres", "redis", "kafka": the component name in health reports. */
    String name();

    /** Lower opens first and closes last; a backend may use ports of those opened before it. */
    int order();

    /** True when the configuration asks for this backend (its URL or host is set). */
    boolean isConfigured(StorageConfig config);

    /**
     * Connects, verifying the server answers (with {@link BackendContext#retry()}'s connect policy), and returns
     * the open backend. Throws {@link io.llmstore.core.error.ConnectionException} when it cannot connect.
     */
    Backend open(BackendContext context);
}
