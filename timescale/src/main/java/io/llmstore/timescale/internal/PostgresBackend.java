package io.llmstore.timescale.internal;

import io.llmstore.core.buffer.BufferedWriter;
import io.llmstore.core.buffer.SpoolSettings;
import io.llmstore.core.buffer.WriterSettings;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.llmstore.core.config.PostgresConfig;
import io.llmstore.core.conversation.Conversations;
import io.llmstore.core.embedding.Embeddings;
import io.llmstore.core.error.ConnectionException;
import io.llmstore.core.gateway.GatewaySettings;
import io.llmstore.core.health.HealthCheck;
import io.llmstore.core.spi.Backend;
import io.llmstore.core.spi.BackendContext;
import io.llmstore.core.stats.ConnectionPoolStats;
import io.llmstore.core.operation.Operations;
import io.llmstore.core.price.PriceCatalog;
import io.llmstore.core.usage.BufferedUsageWriter;
import io.llmstore.core.usage.Usage;
import io.llmstore.core.usage.UsageCostFiller;
import io.llmstore.timescale.gateway.PostgresGatewayStore;
import io.llmstore.timescale.operation.TimescaleOperations;
import io.llmstore.timescale.trace.TimescaleTraces;
import io.llmstore.timescale.trace.TraceOptions;
import io.llmstore.timescale.conversation.PostgresConversationHistory;
import io.llmstore.timescale.conversation.PostgresUserProfiles;
import io.llmstore.timescale.embedding.EmbeddingSettings;
import io.llmstore.timescale.embedding.PostgresEmbeddings;
import io.llmstore.timescale.usage.TimescaleUsageQueries;
import io.llmstore.timescale.usage.TimescaleUsageWriter;
import io.llmstore.timescale.usage.WriteMode;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open {@code postgres} backend: the Hikari pool it built (or the application's {@code DataSource}, which it
 * never closes) and the buffered writer; closes the writer and what it built.
 */
public final class PostgresBackend implements Backend {
    private static final Logger log = LoggerFactory.getLogger(PostgresBackend.class);

    /** Resolved module settings (see {@code TimescaleSettings}). */
    public record Options(String schema, boolean migrateOnStart, SchemaMigrator.Timescale timescale, WriteMode writeMode,
                          int metadataMaxBytes, int bufferCapacity, int flushSize, Duration flushInterval,
                          BufferedWriter.FullPolicy fullPolicy, Duration fullTimeout,
                          Duration shutdownFlushTimeout, UsageCostFiller costFiller,
                          Optional<Duration> retention, Optional<Duration> compressAfter,
                          Duration rollupRefresh, EmbeddingSettings embeddings, Optional<SpoolSettings> spool) {
    }

    /** What every feature uses: the pool's own Hikari pool, or the application's DataSource (maybe wrapped). */
    private final DataSource dataSource;
    /** The Hikari pool whose counters stats() reports: the pool's own, or the application's if it is one. */
    private final HikariDataSource hikari;
    /** The application's DataSource as given; null when the pool built its own. */
    private final DataSource injected;
    private final Duration healthTimeout;
    /** Read-only replica for analytics ({@code DB_READ_URL}); null when analytics read the primary. */
    private final HikariDataSource readDataSource;
    private final int maxConnections;
    private final DSLContext dsl;
    private final SchemaMigrator migrator;
    private final TimescaleUsageWriter writer;
    private final BufferedUsageWriter buffer;
    private final TimescaleUsageQueries queries;
    private final Usage usage;
    private final TimescaleOperations operations;
    private final TimescaleTraces traces;
    private final Conversations conversations;
    private final Embeddings embeddings;
    private final PostgresGatewayStore gateway;
    private final AtomicBoolean closed = new AtomicBoolean();

    private PostgresBackend(DataSource dataSource, HikariDataSource hikari, DataSource injected, Duration healthTimeout,
                            HikariDataSource readDataSource, int maxConnections,
                            DSLContext dsl, SchemaMigrator migrator, TimescaleUsageWriter writer,
                            BufferedUsageWriter buffer, TimescaleUsageQueries queries, TimescaleOperations operations,
                            TimescaleTraces traces, Conversations conversations, Embeddings embeddings,
                            PostgresGatewayStore gateway) {
        this.dataSource = dataSource;
        this.hikari = hikari;
        this.injected = injected;
        this.healthTimeout = healthTimeout;
        this.readDataSource = readDataSource;
        this.maxConnections = maxConnections;
        this.dsl = dsl;
        this.migrator = migrator;
        this.writer = writer;
        this.buffer = buffer;
        this.queries = queries;
        this.usage = Usage.of(writer, buffer, migrator);
        this.operations = operations;
        this.traces = traces;
        this.conversations = conversations;
        this.embeddings = embeddings;
        this.gateway = gateway;
    }

    /** Verifies the server with {@code retry.connect}, opens the pool, migrates if asked, builds the features. */
    public static PostgresBackend open(PostgresConfig pg, Options o, BackendContext context) {
        HikariDataSource ds;
        try {
            ds = new HikariDataSource(hikariConfig(pg, o.schema()));
        } catch (RuntimeException e) {
            throw new ConnectionException("PostgreSQL pool failed to start: " + e.getMessage(), e);
        }
        return open(ds, ds, null, Duration.ofMillis(ds.getConnectionTimeout()), pg.poolMaxConnections(),
                Optional.of(pg), o, context);
    }

    /**
     * Over the application's {@code DataSource}, used as given and never closed: no pool is built, the
     * {@code DB_POOL_*} settings do not apply, and with a {@code DB_SCHEMA} other than {@code public} each borrowed
     * connection gets the schema on its search_path (and back on close). Stats report its counters when it is a
     * HikariCP pool; health bounds its check by that pool's connection timeout, else {@code DB_POOL_CONNECT_TIMEOUT}.
     * A {@code DB_READ_URL} in {@code pg} still gets its own read pool, owned here.
     */
    public static PostgresBackend open(DataSource injected, Optional<PostgresConfig> pg, Duration connectTimeout,
                                       Options o, BackendContext context) {
        HikariDataSource hikari = unwrapHikari(injected);
        DataSource ds = "public".equals(o.schema()) ? injected : new SearchPathDataSource(injected, o.schema());
        Duration timeout = hikari != null ? Duration.ofMillis(hikari.getConnectionTimeout()) : connectTimeout;
        int max = hikari != null ? hikari.getMaximumPoolSize() : 0;
        return open(ds, hikari, injected, timeout, max, pg, o, context);
    }

    private static HikariDataSource unwrapHikari(DataSource ds) {
        if (ds instanceof HikariDataSource h) {
            return h;
        }
        try {
            return ds.isWrapperFor(HikariDataSource.class) ? ds.unwrap(HikariDataSource.class) : null;
        } catch (SQLException e) {
            return null;
        }
    }

    private static PostgresBackend open(DataSource ds, HikariDataSource hikari, DataSource injected,
                                        Duration healthTimeout, int maxConnections, Optional<PostgresConfig> pg,
                                        Options o, BackendContext context) {
        HikariDataSource readDs = null;
        TimescaleTraces traces = null;
        BufferedUsageWriter built = null;
        Duration gatewayTimeout = context.config().settings().duration(GatewaySettings.GATEWAY_QUERY_TIMEOUT);
        // Settings first: a bad value fails naming its variable before any connection is tried.
        WriterSettings recordBuffer = PostgresGatewayStore.bufferSettings(context.config().settings(),
                o.shutdownFlushTimeout());
        WriterSettings operationBuffer = TimescaleOperations.bufferSettings(context.config().settings(),
                o.shutdownFlushTimeout());
        TimescaleOperations operations = null;
        try {
            // Verified through the pool itself (not a side connection), so a server that admits one connection at
            // a time (PGlite) never sees two; each attempt waits at most DB_POOL_CONNECT_TIMEOUT.
            context.retry().connect("PostgreSQL", () -> {
                verify(ds, injected != null);
                return null;
            });
            DSLContext dsl = DSL.using(ds, SQLDialect.POSTGRES);
            SchemaMigrator migrator = new SchemaMigrator(ds, o.schema(), o.timescale(), FeatureSchemas.standard(
                    o.retention(), o.compressAfter(), o.rollupRefresh(), o.embeddings()));
            if (o.migrateOnStart()) {
                migrator.migrate();
            }
            TimescaleUsageWriter direct = TimescaleUsageWriter.create(ds, o.writeMode(), o.metadataMaxBytes(), o.costFiller());
            // pool.usage() retries with DB_RETRY_*; the buffer retries the direct writer itself (then holds the rows
            // and backs off), so the two retry loops never nest.
            TimescaleUsageWriter writer = direct.withRetry(context.retry());
            // Each row is prepared once: at record() (admission), and the flusher stores the prepared rows as given.
            BufferedUsageWriter.Builder bufferBuilder = BufferedUsageWriter.builder(direct.preparedRows())
                    .capacity(o.bufferCapacity())
                    .flushSize(o.flushSize())
                    .flushInterval(o.flushInterval())
                    .whenFull(o.fullPolicy(), o.fullTimeout())
                    .retry(context.retry())
                    .admission(direct::prepare)
                    .shutdownFlushTimeout(o.shutdownFlushTimeout());
            o.spool().ifPresent(bufferBuilder::spool); // SPOOL_DIR: accepted rows survive a JVM kill
            BufferedUsageWriter buffer = bufferBuilder.build();
            built = buffer;
            TimescaleUsageQueries queries = new TimescaleUsageQueries(dsl, ds, context.retry());
            traces = TimescaleTraces.open(TraceOptions.from(context.config()), ds, context.retry(), direct);
            Optional<PostgresConfig> replicaConfig = pg.flatMap(PostgresConfig::readReplica);
            if (replicaConfig.isPresent()) {
                // Analytics are read-only and may lag a little: they go to the replica, writes stay on the primary.
                HikariConfig readConfig = hikariConfig(replicaConfig.get(), o.schema());
                readConfig.setPoolName("llmstore-postgres-read");
                readConfig.setReadOnly(true);
                readDs = new HikariDataSource(readConfig);
                HikariDataSource replica = readDs;
                context.retry().connect("PostgreSQL read replica", () -> {
                    verify(replica, false);
                    return null;
                });
                queries = new TimescaleUsageQueries(DSL.using(readDs, SQLDialect.POSTGRES), readDs, context.retry());
            }
            log.info("PostgreSQL backend open: {} schema={} writeMode={}",
                    // the class only: a DataSource's toString may carry its URL and credentials
                    injected != null ? "the application's " + injected.getClass().getName() : pg.orElseThrow(),
                    o.schema(),
                    writer.mode());
            operations = new TimescaleOperations(dsl,
                    context.ports().find(PriceCatalog.class).orElseGet(PriceCatalog::bundled), context.retry(),
                    operationBuffer);
            Jdbc jdbc = new Jdbc(ds);
            Conversations conversations = Conversations.of(new PostgresConversationHistory(jdbc, context.retry()),
                    new PostgresUserProfiles(jdbc, context.retry()));
            Embeddings embeddings = new PostgresEmbeddings(jdbc, context.retry(), o.embeddings(), o.schema());
            // The gateway's repositories read and write the primary: a revoked key must not be read from a lagging replica.
            PostgresGatewayStore gateway = PostgresGatewayStore.create(dsl, context.retry(), context.clock(), gatewayTimeout,
                    recordBuffer);
            return new PostgresBackend(ds, hikari, injected, healthTimeout, readDs, maxConnections, dsl, migrator,
                    writer, buffer, queries, operations, traces, conversations, embeddings, gateway);
        } catch (RuntimeException e) {
            // Every writer built so far: its flusher thread, and its spool's lock (a spool another process holds is
            // refused at build, after the writers before it started).
            if (operations != null) {
                operations.close();
            }
            if (traces != null) {
                traces.close();
            }
            if (built != null) {
                built.close(); // its flusher thread, and the spool's lock
            }
            if (readDs != null) {
                readDs.close();
            }
            if (injected == null) {
                hikari.close(); // ours; the application's DataSource is left as it is
            }
            throw e;
        }
    }

    private static void verify(DataSource ds, boolean injected) {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("SELECT 1");
        } catch (SQLException e) {
            throw SqlErrors.translate("connecting", e, injected);
        }
    }

    private static HikariConfig hikariConfig(PostgresConfig pg, String schema) {
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("llmstore-postgres");
        hc.setJdbcUrl(pg.jdbcUrl());
        hc.setUsername(pg.user());
        if (pg.password() != null) {
            hc.setPassword(pg.password().reveal());
        }
        hc.setMaximumPoolSize(pg.poolMaxConnections());
        hc.setMinimumIdle(pg.poolMinConnections());
        // HikariCP's floor is 250 ms; a smaller configured value is raised, never silently lowered.
        hc.setConnectionTimeout(Math.max(250, pg.connectTimeout().toMillis()));
        hc.setAutoCommit(true);
        hc.setInitializationFailTimeout(-1); // connectivity is verified with the retry policy instead
        int seconds = (int) Math.max(1, pg.connectTimeout().toSeconds());
        hc.addDataSourceProperty("connectTimeout", Integer.toString(seconds));
        hc.setConnectionInitSql("SET search_path TO " + SchemaMigrator.searchPath(schema));
        hc.setRegisterMbeans(false);
        return hc;
    }

    @Override
    public String name() {
        return "postgres";
    }

    @Override
    public <T> Optional<T> find(Class<T> type) {
        // Order matters: the synchronous writer answers UsageWriter, the buffered one only its own type.
        if (type == Usage.class) {
            return Optional.of(type.cast(usage));
        }
        if (type == Operations.class || type == TimescaleOperations.class) {
            return Optional.of(type.cast(operations));
        }
        if (type == Conversations.class) {
            return Optional.of(type.cast(conversations));
        }
        if (type == Embeddings.class) {
            return Optional.of(type.cast(embeddings));
        }
        if (type == DataSource.class && injected != null) {
            return Optional.of(type.cast(injected)); // the application's, as given
        }
        for (Object o : List.of(writer, buffer, queries, migrator, dataSource, dsl, traces, gateway)) {
            if (type.isInstance(o)) {
                return Optional.of(type.cast(o));
            }
        }
        return Optional.empty();
    }

    /**
     * {@code postgres} (critical: a round trip), and one {@code <kind>-buffer} per buffered writer ({@code usage},
     * {@code operation}, {@code span}, {@code gateway-usage}; not critical: DOWN, so the pool is DEGRADED, while that
     * writer's last write failed; its error names the failure and how many rows wait).
     */
    @Override
    public List<HealthCheck> healthChecks() {
        // Bounded by the pool's connect timeout: that is how long getConnection waits for a server that is down.
        Duration timeout = healthTimeout;
        return List.of(HealthCheck.of("postgres", true, timeout, () -> {
            try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
                // A query timeout alone never fires on a hung server: pgjdbc enforces it with a cancel request on a
                // new connection, which that server does not answer either (measured: SELECT 1 blocked for good). A
                // network timeout on this connection's own socket ends the wait; HikariCP evicts the broken
                // connection and restores the timeout of a healthy one when it is returned.
                c.setNetworkTimeout(Runnable::run, (int) timeout.toMillis());
                st.setQueryTimeout((int) Math.max(1, (timeout.toMillis() + 999) / 1000));
                st.execute("SELECT 1");
            } catch (SQLException e) {
                throw SqlErrors.translate("health check", e, injected != null);
            }
        }), bufferCheck("usage-buffer", buffer::stats, "rows"),
                bufferCheck("operation-buffer", () -> operations.buffered().stats(), "operations"),
                bufferCheck("span-buffer", traces::stats, "spans"),
                bufferCheck("gateway-usage-buffer", () -> gateway.records().buffered().stats(), "usage records"));
    }

    @Override
    public Map<String, BufferedWriter.Stats> bufferStats() {
        Map<String, BufferedWriter.Stats> stats = new LinkedHashMap<>();
        stats.put(BufferedUsageWriter.SPOOL_KIND, buffer.stats());
        stats.put(TimescaleOperations.SPOOL_KIND, operations.buffered().stats());
        stats.put(TraceOptions.SPOOL_KIND, traces.stats());
        stats.put(PostgresGatewayStore.SPOOL_KIND, gateway.records().buffered().stats());
        return stats;
    }

    @Override
    public Map<String, BufferedWriter.SpoolStats> spoolStats() {
        Map<String, BufferedWriter.SpoolStats> stats = new LinkedHashMap<>();
        buffer.spoolStats().ifPresent(s -> stats.put(BufferedUsageWriter.SPOOL_KIND, s));
        operations.buffered().spoolStats().ifPresent(s -> stats.put(TimescaleOperations.SPOOL_KIND, s));
        traces.spoolStats().ifPresent(s -> stats.put(TraceOptions.SPOOL_KIND, s));
        gateway.records().buffered().spoolStats().ifPresent(s -> stats.put(PostgresGatewayStore.SPOOL_KIND, s));
        return stats;
    }

    /** Not critical (DOWN makes the pool DEGRADED) while a buffered writer's last write failed; reads counters only. */
    private static HealthCheck bufferCheck(String name, java.util.function.Supplier<BufferedWriter.Stats> stats,
                                           String what) {
        return HealthCheck.of(name, false, Duration.ofSeconds(1), () -> {
            BufferedWriter.Stats s = stats.get();
            if (s.consecutiveFailures() > 0) {
                throw new IllegalStateException(s.consecutiveFailures() + " consecutive failed writes, " + s.buffered()
                        + " " + what + " held for a retry; last: " + s.lastError().orElse("?"));
            }
        });
    }

    @Override
    public Optional<ConnectionPoolStats> connectionPoolStats() {
        HikariPoolMXBean mx = hikari == null ? null : hikari.getHikariPoolMXBean();
        if (mx == null) {
            return Optional.empty();
        }
        return Optional.of(new ConnectionPoolStats(mx.getActiveConnections(), mx.getIdleConnections(),
                mx.getTotalConnections(), maxConnections, mx.getThreadsAwaitingConnection()));
    }

    @Override
    public void flush() {
        if (!closed.get()) {
            buffer.flush();
            operations.buffered().flush();
            traces.flush();
            gateway.flush();
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            // The gateway's buffered records first (they reference keys and models, never usage rows), then spans
            // (which may record usage rows through the direct writer), operations, the usage buffer.
            closeInOrder(gateway::close, traces::close, operations::close, buffer::close);
        } finally {
            if (readDataSource != null) {
                readDataSource.close();
            }
            if (injected == null) {
                hikari.close(); // ours; the application's DataSource is never closed
            }
        }
    }

    /** Runs every closer, in order, even when an earlier one fails; the first failure is thrown, the rest suppressed. */
    private static void closeInOrder(Runnable... closers) {
        RuntimeException first = null;
        for (Runnable closer : closers) {
            try {
                closer.run();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** The pool, for tests and raw access. */
    public DataSource dataSource() {
        return dataSource;
    }
}
