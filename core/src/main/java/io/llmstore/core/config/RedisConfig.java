package io.llmstore.core.config;

import io.llmstore.core.config.internal.Durations;
import io.llmstore.core.config.internal.Redaction;
import java.time.Duration;
import java.util.Objects;

/**
 * Resolved Redis settings. The URL may carry a password, so it is held as a {@link Secret}.
 *
 * @param url            redis:// or rediss:// URL (with credentials), for the client
 * @param host           host, for display and health
 * @param port           port
 * @param database       database index
 * @param tls            true for rediss://
 * @param commandTimeout longest wait for one command
 * @param cluster        {@code REDIS_CLUSTER}: the URL names a Redis Cluster; {@code host} and {@code port} are then its
 *                       first seed node and {@code database} is 0 (a cluster has no other)
 */
public record RedisConfig(Secret url, String host, int port, int database, boolean tls, Duration commandTimeout,
                          boolean cluster) {
    public RedisConfig {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(commandTimeout, "commandTimeout");
        if (cluster && database != 0) {
            throw new IllegalArgumentException("database must be 0 for a Redis Cluster, was " + database);
        }
    }

    /** A standalone server's settings ({@code cluster} false). */
    public RedisConfig(Secret url, String host, int port, int database, boolean tls, Duration commandTimeout) {
        this(url, host, port, database, tls, commandTimeout, false);
    }

    /** The URL with its password masked. */
    public String displayUrl() {
        return Redaction.maskUrl(url.reveal());
    }

    @Override
    public String toString() {
        return "RedisConfig{url=" + displayUrl() + (cluster ? ", cluster" : "") + ", commandTimeout="
                + Durations.format(commandTimeout) + "}";
    }
}
