package io.llmstore.examples;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.PostgresConfig;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.error.PoolExhaustedException;
import io.llmstore.core.error.StorageException;
import io.llmstore.core.health.ComponentHealth;
import io.llmstore.core.health.HealthReport;
import io.llmstore.core.health.HealthStatus;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.FinalizedVersionRange;

/**
 * The storage guide's {@code test_connection}: loads the configuration as an application does (environment,
 * {@code ./.env}, and a YAML file when its path is the first argument), checks every configured backend and prints
 * one line per component: status, latency, server version (with the TimescaleDB and pgvector versions when present)
 * and the pool settings, then the troubleshooting advice that applies.
 *
 * <p>Run it with {@code scripts/test-connection [config.yaml]}. Exit code: 0 when every configured component is up,
 * 1 when only a non-critical one (Redis, Kafka) is down, 2 when PostgreSQL is down or the configuration is invalid.
 */
public final class TestConnection {
    /** Exit code: everything configured answers. */
    public static final int UP = 0;
    /** Exit code: a non-critical component (Redis, Kafka) is down. */
    public static final int DEGRADED = 1;
    /** Exit code: PostgreSQL is down, or the configuration is invalid. */
    public static final int DOWN = 2;

    private TestConnection() {
    }

    public static void main(String[] args) {
        System.exit(run(() -> args.length > 0 ? StorageConfig.fromFile(Path.of(args[0])) : StorageConfig.fromEnv(),
                System.out));
    }

    /**
     * Loads the configuration with {@code load}, checks its backends, printing to {@code out}.
     *
     * @return {@link #UP}, {@link #DEGRADED} or {@link #DOWN}
     */
    public static int run(Supplier<StorageConfig> load, PrintStream out) {
        StorageConfig config;
        try {
            config = load.get();
        } catch (StorageException e) {
            out.println("configuration: " + e.getMessage());
            if (String.valueOf(e.getMessage()).contains("DB_PASSWORD")) {
                out.println("advice    DB_PASSWORD environment variable is required (or a password in DATABASE_URL)");
            }
            return DOWN;
        }
        out.println("configuration: " + config);
        if (config.postgres().isEmpty()) {
            out.println(line("postgres", "DOWN", null, "not configured: set DATABASE_URL, or DB_HOST, DB_NAME, DB_USER and"
                    + " DB_PASSWORD"));
            return DOWN;
        }
        StoragePool pool;
        try {
            pool = StoragePool.create(config);
        } catch (StorageException e) {
            String failed = "PostgreSQL connection failed after " + config.retry().maxAttempts() + " attempts";
            String m = String.valueOf(e.getMessage());
            out.println(line("postgres", "DOWN", null, failed + " (DB_RETRY_MAX_ATTEMPTS)"
                    + (m.startsWith(failed) ? m.substring(failed.length()) : ": " + m)));
            advise(e, config.postgres().get(), out);
            return DOWN;
        }
        try (pool) {
            HealthReport report = pool.healthCheck();
            List<String> advice = new ArrayList<>();
            Map<String, String> details = new TreeMap<>();
            PostgresConfig pg = config.postgres().get();
            String poolWarning = postgresDetails(pool, pg, details, advice);
            details.put("redis", redisDetails(pool));
            details.put("kafka", kafkaDetails(pool));
            for (ComponentHealth c : report.components()) {
                String status = c.component().equals("postgres") && c.isUp() && poolWarning != null ? "WARN"
                        : c.status().toString();
                String detail = c.isUp() ? details.getOrDefault(c.component(),
                        c.component().endsWith("-buffer") ? "buffered writer in this process, nothing failing" : "")
                        : c.error().orElse("");
                out.println(line(c.component(), status, c.latency(), detail));
                if (!c.isUp() && c.component().equals("redis")) {
                    advice.add("is Redis running and reachable at " + config.redis().map(r -> r.displayUrl()).orElse("")
                            + "? Check REDIS_URL; unset it to run the cache, sessions and limits in this process");
                } else if (!c.isUp() && c.component().equals("kafka")) {
                    advice.add("is the Kafka broker running and reachable at KAFKA_BOOTSTRAP_SERVERS? Publishing"
                            + " fails (retryable) until it answers; set KAFKA_REQUIRED=true to refuse to start instead");
                }
            }
            if (config.redis().isEmpty()) {
                out.println(line("redis", "INFO", null, "Redis not configured (REDIS_URL unset): the response cache,"
                        + " sessions and rate limits run in this process only"));
            }
            if (config.kafka().isEmpty()) {
                out.println(line("kafka", "INFO", null,
                        "Kafka not configured (KAFKA_BOOTSTRAP_SERVERS unset): no event streaming"));
            }
            advice.forEach(a -> out.println("advice    " + a));
            out.println("overall   " + report.status());
            return report.status() == HealthStatus.UP ? UP : report.status() == HealthStatus.DEGRADED ? DEGRADED : DOWN;
        }
    }

    /** One component's line: name, status, latency (when measured) and what was found. */
    private static String line(String component, String status, Duration latency, String detail) {
        return String.format(Locale.ROOT, "%-20s %-8s %10s  %s", component, status,
                latency == null ? "" : String.format(Locale.ROOT, "%.1f ms", latency.toNanos() / 1e6), detail);
    }

    /**
     * Puts the server version, extensions and pool settings under "postgres" in {@code details}; borrows the pool's
     * maximum number of connections at once, so a server that cannot serve the pool it is configured for shows here,
     * not under load.
     *
     * @return the warning when the pool could not open all its connections (with the advice added), else null
     */
    private static String postgresDetails(StoragePool pool, PostgresConfig pg, Map<String, String> details,
                                          List<String> advice) {
        DataSource ds = pool.client(DataSource.class).orElseThrow();
        String settings = "pool " + pg.poolMinConnections() + ".." + pg.poolMaxConnections() + " connections, wait "
                + pg.connectTimeout().toMillis() + " ms";
        String server = "PostgreSQL at " + pg.host() + ":" + pg.port() + "/" + pg.database();
        String maxConnections = "?";
        List<Connection> held = new ArrayList<>();
        long start = System.nanoTime();
        try {
            try (Connection c = ds.getConnection(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT current_setting('server_version'),"
                         + " (SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'),"
                         + " (SELECT extversion FROM pg_extension WHERE extname = 'vector'),"
                         + " current_setting('max_connections')")) {
                rs.next();
                server = "PostgreSQL " + rs.getString(1)
                        + Optional.ofNullable(rs.getString(2)).map(v -> ", TimescaleDB " + v).orElse("")
                        + Optional.ofNullable(rs.getString(3)).map(v -> ", pgvector " + v).orElse("")
                        + " at " + pg.host() + ":" + pg.port() + "/" + pg.database();
                maxConnections = rs.getString(4);
            }
            start = System.nanoTime();
            for (int i = 0; i < pg.poolMaxConnections(); i++) {
                held.add(ds.getConnection());
            }
            details.put("postgres", server + "; " + settings + " (all " + held.size() + " opened in "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms; server max_connections "
                    + maxConnections + ")");
            return null;
        } catch (SQLException | StorageException e) {
            String why = "opened " + held.size() + " of " + pg.poolMaxConnections() + " connections in "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms (server max_connections "
                    + maxConnections + "): " + e.getMessage();
            details.put("postgres", server + "; " + settings + "; " + why);
            advice.add("the pool waited DB_POOL_CONNECT_TIMEOUT (" + pg.connectTimeout().toMillis()
                    + " ms) for a connection: lower DB_POOL_MAX_CONNECTIONS (now " + pg.poolMaxConnections()
                    + ") below the server's max_connections, or raise DB_POOL_CONNECT_TIMEOUT");
            return why;
        } finally {
            for (Connection c : held) {
                try {
                    c.close();
                } catch (SQLException ignored) {
                    // returning a connection to the pool; the pool closes on exit anyway
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static String redisDetails(StoragePool pool) {
        try {
            return pool.client(StatefulRedisConnection.class).map(c -> {
                String info = ((StatefulRedisConnection<byte[], byte[]>) c).sync().info("server");
                return info.lines().filter(l -> l.startsWith("redis_version:")).findFirst()
                        .map(l -> "Redis " + l.substring("redis_version:".length()).strip()).orElse("Redis");
            }).orElse("");
        } catch (RuntimeException e) {
            return "";
        }
    }

    private static String kafkaDetails(StoragePool pool) {
        return pool.client(Admin.class).map(admin -> {
            try {
                DescribeClusterResult r = admin.describeCluster();
                // Brokers do not report their release over the admin API; the finalized metadata.version is the
                // cluster's feature level (Kafka's own kafka-features.sh describe shows the same).
                FinalizedVersionRange mv = admin.describeFeatures().featureMetadata().get(5, TimeUnit.SECONDS)
                        .finalizedFeatures().get("metadata.version");
                return "Kafka cluster " + r.clusterId().get(5, TimeUnit.SECONDS) + ", "
                        + r.nodes().get(5, TimeUnit.SECONDS).size() + " broker(s)"
                        + (mv == null ? "" : ", metadata.version level " + mv.maxVersionLevel());
            } catch (Exception e) {
                return "";
            }
        }).orElse("");
    }

    /** The guide's troubleshooting entries that fit {@code e}. */
    private static void advise(StorageException e, PostgresConfig pg, PrintStream out) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("password authentication")) { // a password was given, and refused
            out.println("advice    the server refused the password: check DB_PASSWORD, or the password in DATABASE_URL"
                    + " (percent-encoded), which wins over DB_PASSWORD");
        } else if (m.contains("DB_PASSWORD")) {
            out.println("advice    DB_PASSWORD environment variable is required by this server (or a password in"
                    + " DATABASE_URL, percent-encoded)");
        } else if (e instanceof PoolExhaustedException) {
            out.println("advice    raise DB_POOL_CONNECT_TIMEOUT (now " + pg.connectTimeout().toMillis()
                    + " ms) or DB_POOL_MAX_CONNECTIONS (now " + pg.poolMaxConnections() + ")");
        } else {
            out.println("advice    is PostgreSQL running and reachable at " + pg.host() + ":" + pg.port()
                    + "? Check DATABASE_URL or DB_HOST/DB_PORT, and the server's listen_addresses and pg_hba.conf");
        }
    }
}
