package io.llmstore.core.config;

import java.util.List;

/**
 * The variables core reads. Backend modules declare their own {@link Setting} constants the same way; docs/configuration.md's
 * configuration reference lists them all and a test checks it against these defaults.
 */
public final class CoreSettings {
    private CoreSettings() {
    }

    public static final Setting DATABASE_URL = Setting.secret("DATABASE_URL",
            "postgresql://user:pass@host:port/db?sslmode=..&application_name=..; wins over DB_HOST, DB_PORT, DB_NAME, DB_USER");
    public static final Setting DB_HOST = Setting.of("DB_HOST", "localhost", "PostgreSQL host");
    public static final Setting DB_PORT = Setting.of("DB_PORT", "5432", "PostgreSQL port");
    public static final Setting DB_NAME = Setting.of("DB_NAME", "llm_observatory", "database name");
    public static final Setting DB_USER = Setting.of("DB_USER", "postgres", "database user");
    public static final Setting DB_PASSWORD = Setting.secret("DB_PASSWORD",
            "database password; optional (trust and peer authentication need none; a server that asks for one fails the "
                    + "start naming DB_PASSWORD / DATABASE_URL); DATABASE_URL's password wins");
    public static final Setting DB_SSL_MODE = Setting.of("DB_SSL_MODE", "prefer",
            "disable|allow|prefer|require|verify-ca|verify-full; DATABASE_URL's (or DB_READ_URL's) sslmode wins when both "
                    + "are given, and both are validated");
    public static final Setting DB_APP_NAME = Setting.of("DB_APP_NAME", "llmstore", "application_name shown in pg_stat_activity");
    public static final Setting DB_READ_URL = Setting.secret("DB_READ_URL",
            "optional read replica (same form as DATABASE_URL) for read-only analytics; default: the primary");
    public static final Setting DB_POOL_MAX_CONNECTIONS = Setting.of("DB_POOL_MAX_CONNECTIONS", "10", "most pooled connections (>= 1)");
    public static final Setting DB_POOL_MIN_CONNECTIONS = Setting.of("DB_POOL_MIN_CONNECTIONS", "1", "idle connections kept open (0..max)");
    public static final Setting DB_POOL_CONNECT_TIMEOUT = Setting.of("DB_POOL_CONNECT_TIMEOUT", "5s",
            "wait for a pooled connection before PoolExhaustedException; seconds or 5s/2m");
    public static final Setting DB_RETRY_MAX_ATTEMPTS = Setting.of("DB_RETRY_MAX_ATTEMPTS", "3",
            "attempts (first try included) for a retryable failure: each backend's connection at start-up, PostgreSQL writes and analytics queries (see Health, stats, errors)");
    public static final Setting DB_RETRY_INITIAL_BACKOFF = Setting.of("DB_RETRY_INITIAL_BACKOFF", "100ms", "wait before the first retry");
    public static final Setting DB_RETRY_MULTIPLIER = Setting.of("DB_RETRY_MULTIPLIER", "2.0", "backoff growth per retry (>= 1)");
    public static final Setting DB_RETRY_MAX_BACKOFF = Setting.of("DB_RETRY_MAX_BACKOFF", "5s", "longest wait between retries");
    public static final Setting DB_RETRY_JITTER = Setting.of("DB_RETRY_JITTER", "0.5",
            "randomization factor 0..0.99 applied to each wait, so instances do not retry in lockstep");
    public static final Setting REDIS_URL = Setting.secret("REDIS_URL",
            "redis://[user:pass@]host:port[/db] or rediss:// (TLS); unset = in-process fallbacks for cache and limiter");
    public static final Setting REDIS_CLUSTER = Setting.of("REDIS_CLUSTER", "false",
            "true: REDIS_URL names a Redis Cluster (one or more seed nodes, redis://host1:port1,host2:port2 as Lettuce takes them), served through Lettuce's cluster client");
    public static final Setting REDIS_COMMAND_TIMEOUT = Setting.of("REDIS_COMMAND_TIMEOUT", "1s",
            "longest wait for one Redis command; bounds fail-open latency");
    public static final Setting KAFKA_BOOTSTRAP_SERVERS = Setting.of("KAFKA_BOOTSTRAP_SERVERS", null,
            "host:port[,host:port...]; unset = no event streaming");
    public static final Setting KAFKA_CLIENT_ID = Setting.of("KAFKA_CLIENT_ID", "llmstore", "client.id of producers, consumers and admin");

    public static final Setting SPOOL_DIR = Setting.of("SPOOL_DIR", null,
            "directory of the durable spool of the buffered writers (each writer in <SPOOL_DIR>/<kind>, one process per directory); unset = no spool, rows live only in memory until stored");
    public static final Setting SPOOL_DURABILITY = Setting.of("SPOOL_DURABILITY", "os",
            "fsync|os|none: record() returns after the row's group fsync (survives power loss), after write() to the OS (survives a JVM kill), or none = no spool");
    public static final Setting SPOOL_MAX_BYTES = Setting.of("SPOOL_MAX_BYTES", "1073741824",
            "most bytes of spool files per writer (>= 65536); when reached record() follows USAGE_BUFFER_FULL_POLICY");
    public static final Setting SPOOL_GROUP_COMMIT_INTERVAL = Setting.of("SPOOL_GROUP_COMMIT_INTERVAL", "1ms",
            "fsync mode: longest a group of rows gathers before its fsync starts; it starts sooner once the group is as large as the last one or SPOOL_GROUP_COMMIT_ROWS rows wait; 0 = at once");
    public static final Setting SPOOL_GROUP_COMMIT_ROWS = Setting.of("SPOOL_GROUP_COMMIT_ROWS", "1000",
            "fsync mode: this many rows waiting start their fsync without gathering longer");

    /** Every core setting, in the order docs/configuration.md lists them. */
    public static final List<Setting> ALL = List.of(
            DATABASE_URL, DB_HOST, DB_PORT, DB_NAME, DB_USER, DB_PASSWORD, DB_SSL_MODE, DB_APP_NAME, DB_READ_URL,
            DB_POOL_MAX_CONNECTIONS, DB_POOL_MIN_CONNECTIONS, DB_POOL_CONNECT_TIMEOUT,
            DB_RETRY_MAX_ATTEMPTS, DB_RETRY_INITIAL_BACKOFF, DB_RETRY_MULTIPLIER, DB_RETRY_MAX_BACKOFF, DB_RETRY_JITTER,
            REDIS_URL, REDIS_CLUSTER, REDIS_COMMAND_TIMEOUT, KAFKA_BOOTSTRAP_SERVERS, KAFKA_CLIENT_ID,
            SPOOL_DIR, SPOOL_DURABILITY, SPOOL_MAX_BYTES, SPOOL_GROUP_COMMIT_INTERVAL, SPOOL_GROUP_COMMIT_ROWS);
}
