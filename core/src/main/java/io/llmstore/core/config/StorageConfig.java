package io.llmstore.core.config;

import io.llmstore.core.config.internal.ConfigFiles;
import io.llmstore.core.config.internal.ConfigLayer;
import io.llmstore.core.config.internal.ConnectionUrls;
import io.llmstore.core.config.internal.Durations;
import io.llmstore.core.config.internal.Redaction;
import io.llmstore.core.error.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.Properties;

/**
 * Everything llmstore needs to connect, resolved once and immutable.
 *
 * <p>One precedence order for every value: builder values &gt; system properties &gt; environment &gt;
 * {@code .env} &gt; YAML &gt; defaults. {@link #fromEnv()} reads system properties, the environment and
 * {@code ./.env}; {@link #fromFile(Path)} adds a YAML file below them; {@link #builder()} starts with nothing
 * ambient, and {@link Builder#withEnvironment()} / {@link Builder#yamlFile(Path)} add those layers.
 *
 * <p>A backend is configured when its variables are set: PostgreSQL by {@code DATABASE_URL} or any {@code DB_HOST},
 * {@code DB_PORT}, {@code DB_NAME}, {@code DB_USER}, {@code DB_PASSWORD}; Redis by {@code REDIS_URL}; Kafka by
 * {@code KAFKA_BOOTSTRAP_SERVERS}. None of them is needed for a backend given the application's own resource
 * ({@code StoragePool.builder(config).backend(PostgresBackendProvider.using(dataSource))}, and likewise for a Lettuce
 * client or a Kafka producer): a pool over an injected {@code DataSource} needs no {@code DATABASE_URL},
 * {@code DB_HOST} or {@code DB_PASSWORD}. Every invalid or missing value fails here, with a {@link ConfigException} naming
 * the variable (or YAML path) and the expected form. {@link #toString()} shows effective values, never secrets.
 */
public final class StorageConfig {
    private static final List<Setting> POSTGRES_MARKERS = List.of(CoreSettings.DATABASE_URL, CoreSettings.DB_HOST,
            CoreSettings.DB_PORT, CoreSettings.DB_NAME, CoreSettings.DB_USER, CoreSettings.DB_PASSWORD);

    private final Settings settings;
    private final Optional<PostgresConfig> postgres;
    private final Optional<RedisConfig> redis;
    private final Optional<KafkaConfig> kafka;
    private final RetrySettings retry;

    private StorageConfig(Settings settings) {
        this.settings = settings;
        this.postgres = resolvePostgres(settings);
        this.redis = resolveRedis(settings);
        this.kafka = resolveKafka(settings);
        this.retry = resolveRetry(settings);
    }

    /** System properties, environment and {@code ./.env}, over the defaults. */
    public static StorageConfig fromEnv() {
        return builder().withEnvironment().build();
    }

    /** System properties, environment, {@code ./.env}, then the YAML file, over the defaults. */
    public static StorageConfig fromFile(Path yaml) {
        return builder().withEnvironment().yamlFile(yaml).build();
    }

    /** A builder with no ambient layer: only what you set, over the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Every resolved value with its origin; modules read their own settings here. */
    public Settings settings() {
        return settings;
    }

    /** PostgreSQL settings, empty when PostgreSQL is not configured. */
    public Optional<PostgresConfig> postgres() {
        return postgres;
    }

    /** Redis settings, empty when {@code REDIS_URL} is not set. */
    public Optional<RedisConfig> redis() {
        return redis;
    }

    /** Kafka settings, empty when {@code KAFKA_BOOTSTRAP_SERVERS} is not set. */
    public Optional<KafkaConfig> kafka() {
        return kafka;
    }

    /** The retry policy every adapter uses. */
    public RetrySettings retry() {
        return retry;
    }

    /**
     * The named cache's size and TTL from {@code CACHE_<NAME>_SIZE} and {@code CACHE_<NAME>_TTL}.
     *
     * @param name           cache name, e.g. {@code api_key} (variables {@code CACHE_API_KEY_SIZE}, {@code CACHE_API_KEY_TTL})
     * @param defaultSize    size when the variable is unset
     * @param defaultTtl     TTL when the variable is unset
     */
    public CacheSpec cache(String name, long defaultSize, Duration defaultTtl) {
        String upper = name.toUpperCase(Locale.ROOT).replace('-', '_');
        Setting size = Setting.of("CACHE_" + upper + "_SIZE", Long.toString(defaultSize), "entries in the " + name + " cache");
        Setting ttl = Setting.of("CACHE_" + upper + "_TTL", Durations.format(defaultTtl), "TTL of the " + name + " cache");
        Duration ttlValue = settings.duration(ttl);
        if (ttlValue.isZero()) {
            throw settings.invalid(ttl, "a duration > 0 such as 5m");
        }
        return new CacheSpec(name, settings.longValue(size, 0), ttlValue);
    }

    @Override
    public String toString() {
        return "StorageConfig{postgres=" + postgres.map(Object::toString).orElse("not configured")
                + ", redis=" + redis.map(Object::toString).orElse("not configured (in-process fallbacks)")
                + ", kafka=" + kafka.map(k -> k.bootstrapServersText() + " as " + k.clientId()).orElse("not configured")
                + ", retry=" + retry + ", sources=" + settings.sources() + "}";
    }

    private static Optional<PostgresConfig> resolvePostgres(Settings s) {
        boolean configured = POSTGRES_MARKERS.stream().anyMatch(m -> s.isSet(m.name()));
        if (!configured) {
            return Optional.empty();
        }
        PostgresConfig primary = postgresFrom(s, CoreSettings.DATABASE_URL);
        Optional<PostgresConfig> replica = Optional.empty();
        if (s.isSet(CoreSettings.DB_READ_URL.name())) {
            PostgresConfig r = postgresFrom(s, CoreSettings.DB_READ_URL);
            replica = Optional.of(r);
        }
        return Optional.of(new PostgresConfig(primary.host(), primary.port(), primary.database(), primary.user(),
                primary.password(), primary.sslMode(), primary.applicationName(), primary.poolMaxConnections(),
                primary.poolMinConnections(), primary.connectTimeout(), primary.parameters(), replica));
    }

    private static PostgresConfig postgresFrom(Settings s, Setting urlSetting) {
        String host = s.string(CoreSettings.DB_HOST).orElseThrow();
        int port = s.intValue(CoreSettings.DB_PORT, 1);
        if (port > 65535) {
            throw s.invalid(CoreSettings.DB_PORT, "a port between 1 and 65535");
        }
        String database = s.string(CoreSettings.DB_NAME).orElseThrow();
        String user = s.string(CoreSettings.DB_USER).orElseThrow();
        Secret password = s.secret(CoreSettings.DB_PASSWORD).orElse(null);
        String sslText = null;
        String appName = null;
        Map<String, String> params = new LinkedHashMap<>();

        Optional<Settings.Value> url = s.find(urlSetting.name());
        if (url.isPresent()) {
            String expected = "a URL of the form postgresql://user:pass@host:port/db?sslmode=..&application_name=..";
            ConnectionUrls.Parts parts = ConnectionUrls.parse(url.get().text(),
                    urlSetting.name() + " (" + url.get().origin() + ")");
            if (parts == null || !(parts.scheme().equals("postgresql") || parts.scheme().equals("postgres")
                    || parts.scheme().equals("jdbc:postgresql"))) {
                throw new ConfigException(urlSetting.name() + " (" + url.get().origin() + ") must be " + expected
                        + ", was '" + Redaction.maskUrl(url.get().text()) + "'");
            }
            host = parts.host();
            if (parts.port() != null) {
                try {
                    port = Integer.parseInt(parts.port());
                } catch (NumberFormatException e) {
                    port = -1;
                }
                if (port < 1 || port > 65535) {
                    throw new ConfigException(urlSetting.name() + " (" + url.get().origin()
                            + ") must have a port between 1 and 65535, was '" + Redaction.maskUrl(url.get().text()) + "'");
                }
            } else {
                port = 5432;
            }
            if (parts.path() != null) {
                database = parts.path();
            }
            if (parts.user() != null) {
                user = parts.user();
            }
            if (parts.password() != null) {
                password = Secret.of(parts.password());
            }
            for (Map.Entry<String, String> e : parts.query().entrySet()) {
                String key = e.getKey();
                if (key.equalsIgnoreCase("sslmode")) {
                    sslText = e.getValue();
                } else if (key.equalsIgnoreCase("application_name") || key.equals("ApplicationName")) {
                    appName = e.getValue();
                } else if (key.equalsIgnoreCase("user") || key.equalsIgnoreCase("password")) {
                    throw new ConfigException(urlSetting.name() + " (" + url.get().origin()
                            + ") must carry credentials as user:pass@host, not as a ?" + key + "= parameter");
                } else {
                    params.put(key, e.getValue());
                }
            }
        }
        if (password == null || password.isEmpty()) {
            // No password is fine: trust and peer authentication need none. A server that asks for one refuses the
            // connection, and the backend translates that refusal into a message naming DB_PASSWORD / DATABASE_URL.
            password = s.secret(CoreSettings.DB_PASSWORD).filter(p -> !p.isEmpty()).orElse(null);
        }

        // Both are validated, so a typo in either fails here; the URL's sslmode wins, like every other part of the URL.
        SslMode sslMode = s.enumValue(CoreSettings.DB_SSL_MODE, SslMode.class);
        if (sslText != null) {
            sslMode = SslMode.parse(sslText);
            if (sslMode == null) {
                throw new ConfigException(urlSetting.name() + " parameter sslmode must be one of "
                        + "disable|allow|prefer|require|verify-ca|verify-full, was '" + sslText + "'");
            }
        }
        if (appName == null) {
            appName = s.string(CoreSettings.DB_APP_NAME).orElse(null);
        }
        int max = s.intValue(CoreSettings.DB_POOL_MAX_CONNECTIONS, 1);
        int min = s.intValue(CoreSettings.DB_POOL_MIN_CONNECTIONS, 0);
        if (min > max) {
            throw new ConfigException("DB_POOL_MIN_CONNECTIONS (" + min + ") must be <= DB_POOL_MAX_CONNECTIONS (" + max + ")");
        }
        Duration connectTimeout = s.duration(CoreSettings.DB_POOL_CONNECT_TIMEOUT);
        if (connectTimeout.toMillis() < 250) {
            // HikariCP rejects anything below 250 ms; say so here rather than let it clamp silently.
            throw s.invalid(CoreSettings.DB_POOL_CONNECT_TIMEOUT, "at least 250ms");
        }
        return new PostgresConfig(host, port, database, user, password, sslMode, appName, max, min, connectTimeout,
                params, Optional.empty());
    }

    /** scheme://, user-info@ (or empty), host:port,host:port..., the rest (path, query): a seed list of 2+ nodes. */
    private static final Pattern SEED_LIST = Pattern.compile(
            "([a-zA-Z][a-zA-Z0-9+.:-]*://)((?:[^/?#]*@)?)([^,/?#@]+(?:,[^,/?#@]*)+)(.*)");

    private static Optional<RedisConfig> resolveRedis(Settings s) {
        Optional<Settings.Value> url = s.find(CoreSettings.REDIS_URL.name());
        if (url.isEmpty()) {
            return Optional.empty();
        }
        String text = url.get().text();
        boolean cluster = s.booleanValue(CoreSettings.REDIS_CLUSTER);
        String expected = cluster
                ? "a seed list of the form redis://[user:pass@]host:port[,host:port...] or rediss://... (REDIS_CLUSTER=true)"
                : "a URL of the form redis://[user:pass@]host:port[/db] or rediss://...";
        // Lettuce's cluster form lists several nodes in one authority: check each, then parse the URL with the first.
        String single = text;
        Matcher seeds = SEED_LIST.matcher(text.trim());
        if (seeds.matches()) {
            String[] nodes = seeds.group(3).split(",", -1);
            if (!cluster) {
                throw new ConfigException("REDIS_URL (" + url.get().origin() + ") lists " + nodes.length
                        + " hosts, which only a Redis Cluster's seed list does: set REDIS_CLUSTER=true, or give one host;"
                        + " was '" + Redaction.maskUrl(text) + "'");
            }
            for (String node : nodes) {
                int colon = node.lastIndexOf(':');
                if (colon <= 0 || parsePort(node.substring(colon + 1)) < 1) {
                    throw new ConfigException("REDIS_URL (" + url.get().origin() + ") seed '" + node
                            + "' must be host:port with a port between 1 and 65535 (REDIS_CLUSTER=true), was '"
                            + Redaction.maskUrl(text) + "'");
                }
            }
            single = seeds.group(1) + seeds.group(2) + nodes[0] + seeds.group(4);
        }
        ConnectionUrls.Parts parts = ConnectionUrls.parse(single, "REDIS_URL (" + url.get().origin() + ")");
        if (parts == null || !(parts.scheme().equals("redis") || parts.scheme().equals("rediss"))) {
            throw new ConfigException("REDIS_URL (" + url.get().origin() + ") must be " + expected
                    + ", was '" + Redaction.maskUrl(text) + "'");
        }
        int port = 6379;
        if (parts.port() != null) {
            port = parsePort(parts.port());
            if (port < 1) {
                throw new ConfigException("REDIS_URL (" + url.get().origin() + ") must have a port between 1 and 65535, was '"
                        + Redaction.maskUrl(text) + "'");
            }
        }
        int db = 0;
        if (parts.path() != null) {
            try {
                db = Integer.parseInt(parts.path());
            } catch (NumberFormatException e) {
                db = -1;
            }
            if (db < 0) {
                throw new ConfigException("REDIS_URL (" + url.get().origin()
                        + ") database index after the '/' must be an integer >= 0, was '" + Redaction.maskUrl(text) + "'");
            }
        }
        if (cluster && db != 0) {
            throw new ConfigException("REDIS_URL (" + url.get().origin() + ") selects database " + db
                    + ", but a Redis Cluster has only database 0 (REDIS_CLUSTER=true): drop the '/" + db + "'");
        }
        Duration timeout = s.duration(CoreSettings.REDIS_COMMAND_TIMEOUT);
        if (timeout.isZero()) {
            throw s.invalid(CoreSettings.REDIS_COMMAND_TIMEOUT, "a duration > 0 such as 500ms");
        }
        return Optional.of(new RedisConfig(Secret.of(text), parts.host(), port, db, parts.scheme().equals("rediss"),
                timeout, cluster));
    }

    private static Optional<KafkaConfig> resolveKafka(Settings s) {
        Optional<Settings.Value> servers = s.find(CoreSettings.KAFKA_BOOTSTRAP_SERVERS.name());
        if (servers.isEmpty()) {
            return Optional.empty();
        }
        List<String> list = new ArrayList<>();
        for (String server : servers.get().text().split(",")) {
            String t = server.trim();
            int colon = t.lastIndexOf(':');
            if (colon <= 0 || parsePort(t.substring(colon + 1)) < 1) {
                throw s.invalid(CoreSettings.KAFKA_BOOTSTRAP_SERVERS, "a comma-separated list of host:port");
            }
            list.add(t);
        }
        return Optional.of(new KafkaConfig(list, s.string(CoreSettings.KAFKA_CLIENT_ID).orElseThrow()));
    }

    private static RetrySettings resolveRetry(Settings s) {
        int attempts = s.intValue(CoreSettings.DB_RETRY_MAX_ATTEMPTS, 1);
        Duration initial = s.duration(CoreSettings.DB_RETRY_INITIAL_BACKOFF);
        if (initial.isZero()) {
            throw s.invalid(CoreSettings.DB_RETRY_INITIAL_BACKOFF, "a duration > 0 such as 100ms");
        }
        double multiplier = s.doubleValue(CoreSettings.DB_RETRY_MULTIPLIER, 1.0, 100.0);
        Duration max = s.duration(CoreSettings.DB_RETRY_MAX_BACKOFF);
        if (max.compareTo(initial) < 0) {
            throw new ConfigException("DB_RETRY_MAX_BACKOFF (" + Durations.format(max) + ") must be >= DB_RETRY_INITIAL_BACKOFF ("
                    + Durations.format(initial) + ")");
        }
        double jitter = s.doubleValue(CoreSettings.DB_RETRY_JITTER, 0.0, 0.99);
        return new RetrySettings(attempts, initial, multiplier, max, jitter);
    }

    private static int parsePort(String text) {
        try {
            int port = Integer.parseInt(text.trim());
            return port >= 1 && port <= 65535 ? port : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Builds a {@link StorageConfig}. Typed setters check their value at once (a bad value fails before any
     * socket opens, never clamped); combinations are checked in {@link #build()}. Not thread-safe.
     */
    public static final class Builder {
        private final Map<String, String> values = new LinkedHashMap<>();
        private Properties systemProperties;
        private Map<String, String> environment;
        private Path dotEnv;
        private Path yaml;

        private Builder() {
        }

        /** Adds system properties, the process environment and {@code ./.env} below the builder's own values. */
        public Builder withEnvironment() {
            return systemProperties(System.getProperties()).environment(System.getenv()).dotEnvFile(Path.of(".env"));
        }

        /** Uses these system properties as the system-properties layer (tests pass their own). */
        public Builder systemProperties(Properties properties) {
            this.systemProperties = Objects.requireNonNull(properties, "properties");
            return this;
        }

        /** Uses this map as the environment layer (tests pass their own). */
        public Builder environment(Map<String, String> env) {
            this.environment = Map.copyOf(Objects.requireNonNull(env, "env"));
            return this;
        }

        /** Reads this {@code .env} file (missing is fine) as the .env layer. */
        public Builder dotEnvFile(Path file) {
            this.dotEnv = Objects.requireNonNull(file, "file");
            return this;
        }

        /** Reads this YAML file as the lowest layer above the defaults; it must exist. */
        public Builder yamlFile(Path file) {
            this.yaml = Objects.requireNonNull(file, "file");
            return this;
        }

        /** Sets any variable by its environment name, e.g. {@code set("CACHE_API_KEY_TTL", "5m")}. */
        public Builder set(String name, String value) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, () -> name + " must not be null");
            values.put(name, value);
            return this;
        }

        /** {@code DATABASE_URL}: postgresql://user:pass@host:port/db?sslmode=... */
        public Builder databaseUrl(String url) {
            return set("DATABASE_URL", url);
        }

        public Builder dbHost(String host) {
            return set("DB_HOST", requireText("dbHost", host));
        }

        public Builder dbPort(int port) {
            if (port < 1 || port > 65535) {
                throw new ConfigException("dbPort must be between 1 and 65535, was " + port);
            }
            return set("DB_PORT", Integer.toString(port));
        }

        public Builder dbName(String name) {
            return set("DB_NAME", requireText("dbName", name));
        }

        public Builder dbUser(String user) {
            return set("DB_USER", requireText("dbUser", user));
        }

        public Builder dbPassword(String password) {
            return set("DB_PASSWORD", Objects.requireNonNull(password, "dbPassword"));
        }

        public Builder sslMode(SslMode mode) {
            return set("DB_SSL_MODE", Objects.requireNonNull(mode, "sslMode").value());
        }

        public Builder poolMaxConnections(int max) {
            if (max < 1) {
                throw new ConfigException("poolMaxConnections must be >= 1, was " + max);
            }
            return set("DB_POOL_MAX_CONNECTIONS", Integer.toString(max));
        }

        public Builder poolMinConnections(int min) {
            if (min < 0) {
                throw new ConfigException("poolMinConnections must be >= 0, was " + min);
            }
            return set("DB_POOL_MIN_CONNECTIONS", Integer.toString(min));
        }

        public Builder connectTimeout(Duration timeout) {
            if (timeout == null || timeout.toMillis() < 250) {
                throw new ConfigException("connectTimeout must be at least 250ms, was " + timeout);
            }
            return set("DB_POOL_CONNECT_TIMEOUT", timeout.toMillis() + "ms");
        }

        public Builder retryMaxAttempts(int attempts) {
            if (attempts < 1) {
                throw new ConfigException("retryMaxAttempts must be >= 1, was " + attempts);
            }
            return set("DB_RETRY_MAX_ATTEMPTS", Integer.toString(attempts));
        }

        /** Retry backoff: initial wait, growth and cap. */
        public Builder retryBackoff(Duration initial, double multiplier, Duration max) {
            RetrySettings checked = new RetrySettings(1, initial, multiplier, max, 0);
            set("DB_RETRY_INITIAL_BACKOFF", checked.initialBackoff().toMillis() + "ms");
            set("DB_RETRY_MULTIPLIER", Double.toString(multiplier));
            return set("DB_RETRY_MAX_BACKOFF", checked.maxBackoff().toMillis() + "ms");
        }

        /** {@code REDIS_URL}: redis://[user:pass@]host:port[/db] or rediss://. */
        public Builder redisUrl(String url) {
            return set("REDIS_URL", url);
        }

        /** {@code KAFKA_BOOTSTRAP_SERVERS}: host:port[,host:port]. */
        public Builder kafkaBootstrapServers(String servers) {
            return set("KAFKA_BOOTSTRAP_SERVERS", requireText("kafkaBootstrapServers", servers));
        }

        /** Resolves every layer and checks every value; throws {@link ConfigException} on the first bad one. */
        public StorageConfig build() {
            List<ConfigLayer> layers = new ArrayList<>();
            layers.add(ConfigLayer.of("builder", values));
            if (systemProperties != null) {
                layers.add(ConfigFiles.systemProperties(systemProperties));
            }
            if (environment != null) {
                layers.add(ConfigFiles.environment(environment));
            }
            if (dotEnv != null) {
                layers.add(ConfigFiles.dotEnv(dotEnv));
            }
            if (yaml != null) {
                layers.add(ConfigFiles.yaml(yaml));
            }
            return new StorageConfig(Settings.of(layers));
        }

        private static String requireText(String field, String value) {
            if (value == null || value.isBlank()) {
                throw new ConfigException(field + " must not be blank, was " + (value == null ? "null" : "'" + value + "'"));
            }
            return value;
        }

        @Override
        public String toString() {
            return "StorageConfig.Builder" + Arrays.toString(values.keySet().toArray());
        }
    }
}
