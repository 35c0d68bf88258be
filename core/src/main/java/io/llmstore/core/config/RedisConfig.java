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
 */
public record RedisConfig(Secret url, String host, int port, int database, boolean tls, Duration commandTimeout) {
    public RedisConfig {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(commandTimeout, "commandTimeout");
    }

    /** The URL with its password masked. */
    public String displayUrl() {
        return Redaction.maskUrl(url.reveal());
    }

    @Override
    public String toString() {
        return "RedisConfig{url=" + displayUrl() + ", commandTimeout=" + Durations.format(commandTimeout) + "}";
    }
}
