package io.llmstore.core.config;

import io.llmstore.core.config.internal.Durations;
import io.llmstore.core.config.internal.Redaction;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * Resolved PostgreSQL settings. {@link #toString()} never shows the password.
 *
 * @param host                server host
 * @param port                server port, 1..65535
 * @param database            database name
 * @param user                user name
 * @param password            the password, never printed; null when none is configured (trust or peer auth)
 * @param sslMode             pgjdbc {@code sslmode}
 * @param applicationName     {@code application_name}
 * @param poolMaxConnections  most pooled connections, >= 1
 * @param poolMinConnections  idle connections kept, 0..max
 * @param connectTimeout      wait for a pooled connection
 * @param parameters          further pgjdbc URL parameters from DATABASE_URL (e.g. {@code prepareThreshold=0})
 * @param readReplica         optional read-only replica for analytics
 */
public record PostgresConfig(String host, int port, String database, String user, Secret password, SslMode sslMode,
                             String applicationName, int poolMaxConnections, int poolMinConnections,
                             Duration connectTimeout, Map<String, String> parameters,
                             Optional<PostgresConfig> readReplica) {
    public PostgresConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(sslMode, "sslMode");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        parameters = Map.copyOf(parameters);
        readReplica = readReplica == null ? Optional.empty() : readReplica;
    }

    /** The JDBC URL without credentials (user and password go to the driver separately). */
    public String jdbcUrl() {
        StringJoiner query = new StringJoiner("&", "?", "");
        query.setEmptyValue("");
        query.add("sslmode=" + sslMode.value());
        if (applicationName != null) {
            query.add("ApplicationName=" + URLEncoder.encode(applicationName, StandardCharsets.UTF_8));
        }
        parameters.forEach((k, v) -> query.add(k + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8)));
        String hostPart = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return "jdbc:postgresql://" + hostPart + ":" + port + "/" + database + query;
    }

    @Override
    public String toString() {
        // Masked: extra URL parameters may carry a secret (pgjdbc's sslpassword).
        return "PostgresConfig{url=" + Redaction.maskUrl(jdbcUrl()) + ", user=" + user
                + ", password=" + (password == null ? "none" : password)
                + ", pool=" + poolMinConnections + ".." + poolMaxConnections
                + ", connectTimeout=" + Durations.format(connectTimeout)
                + readReplica.map(r -> ", readReplica=" + Redaction.maskUrl(r.jdbcUrl())).orElse("") + "}";
    }
}
