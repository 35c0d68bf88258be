package io.llmstore.timescale;

import io.llmstore.core.buffer.BufferSizes;
import io.llmstore.core.buffer.BufferedWriter;
import io.llmstore.core.buffer.SpoolSettings;
import io.llmstore.core.config.CoreSettings;
import io.llmstore.core.config.PostgresConfig;
import io.llmstore.core.config.Settings;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.error.ConfigException;
import io.llmstore.core.spi.Backend;
import io.llmstore.core.spi.BackendContext;
import io.llmstore.core.spi.BackendProvider;
import io.llmstore.core.usage.BufferedUsageWriter;
import io.llmstore.core.price.PriceCatalog;
import io.llmstore.core.usage.UsageCostFiller;
import io.llmstore.timescale.embedding.EmbeddingSettings;
import io.llmstore.timescale.internal.PostgresBackend;
import io.llmstore.timescale.internal.SchemaMigrator;
import io.llmstore.timescale.usage.WriteMode;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The {@code postgres} backend (order 100): a HikariCP pool from {@link PostgresConfig}, connectivity verified with
 * the retry policy, then the usage writer (sync and buffered), the analytics queries and the schema migrator.
 * Registered for {@link java.util.ServiceLoader}; {@code StoragePool.create} finds it. {@link #using(DataSource)} runs
 * the same features over the application's own {@code DataSource}.
 */
public final class PostgresBackendProvider implements BackendProvider {
    /** The application's DataSource handed over with {@link #using}; null when the backend builds its own pool. */
    private final DataSource dataSource;

    /** The ServiceLoader's provider: the backend builds, owns and closes a HikariCP pool from the configuration. */
    public PostgresBackendProvider() {
        this(null);
    }

    private PostgresBackendProvider(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * A provider over the application's own {@code DataSource}:
     * {@code StoragePool.builder(config).backend(PostgresBackendProvider.using(dataSource))}. It replaces the
     * ServiceLoader one and is configured without any {@code DATABASE_URL}, {@code DB_HOST} or {@code DB_PASSWORD}
     * (the DataSource carries the server and credentials; if they are set anyway they are not used, except
     * {@code DB_READ_URL}, which still gets its own read pool for analytics).
     *
     * <p>The DataSource is used as given and <b>never closed</b> by the pool; {@code pool.client(DataSource.class)}
     * returns it. The {@code DB_POOL_*} settings do not apply (the DataSource is the pool); every other setting
     * ({@code DB_SCHEMA}, {@code DB_MIGRATE_ON_START}, {@code DB_WRITE_MODE}, {@code USAGE_*}, ...) does. With a
     * {@code DB_SCHEMA} other than {@code public}, each connection the pool borrows gets that schema on its
     * search_path and has it reset when returned (two round trips per borrow). When it is a HikariCP pool,
     * {@code pool.stats()} reports its counters and health waits at most its connection timeout; otherwise stats
     * have no connection-pool part and health waits {@code DB_POOL_CONNECT_TIMEOUT}.
     *
     * @param dataSource connections to the PostgreSQL or TimescaleDB server holding the usage schema; not closed
     */
    public static PostgresBackendProvider using(DataSource dataSource) {
        return new PostgresBackendProvider(Objects.requireNonNull(dataSource, "dataSource"));
    }

    @Override
    public String name() {
        return "postgres";
    }

    @Override
    public int order() {
        return 100;
    }

    @Override
    public boolean isConfigured(StorageConfig config) {
        return dataSource != null || config.postgres().isPresent();
    }

    @Override
    public Backend open(BackendContext context) {
        StorageConfig config = context.config();
        Settings s = config.settings();
        String schema = s.string(TimescaleSettings.DB_SCHEMA).orElse("public");
        try {
            SchemaMigrator.requireSchemaName(schema);
        } catch (IllegalArgumentException e) {
            throw s.invalid(TimescaleSettings.DB_SCHEMA, "a lower-case SQL identifier ([a-z_][a-z0-9_]*)");
        }
        UsageCostFiller filler = null;
        if (s.booleanValue(TimescaleSettings.USAGE_FILL_MISSING_COST)) {
            // A filler another backend provides wins; else core's bundled price catalog.
            filler = context.ports().find(UsageCostFiller.class)
                    .orElseGet(() -> UsageCostFiller.fromCatalog(PriceCatalog.bundled()));
        }
        BufferSizes sizes = BufferSizes.from(s, TimescaleSettings.USAGE_BUFFER_CAPACITY, TimescaleSettings.USAGE_FLUSH_SIZE,
                TimescaleSettings.USAGE_FLUSH_INTERVAL);
        PostgresBackend.Options options = new PostgresBackend.Options(
                schema,
                s.booleanValue(TimescaleSettings.DB_MIGRATE_ON_START),
                s.enumValue(TimescaleSettings.DB_TIMESCALEDB, SchemaMigrator.Timescale.class),
                s.enumValue(TimescaleSettings.DB_WRITE_MODE, WriteMode.class),
                s.intValue(TimescaleSettings.USAGE_METADATA_MAX_BYTES, 2),
                sizes.capacity(), sizes.flushSize(), sizes.flushInterval(),
                s.enumValue(TimescaleSettings.USAGE_BUFFER_FULL_POLICY, BufferedWriter.FullPolicy.class),
                s.duration(TimescaleSettings.USAGE_BUFFER_FULL_TIMEOUT),
                s.duration(TimescaleSettings.USAGE_SHUTDOWN_FLUSH_TIMEOUT),
                filler,
                retention(s),
                optionalDuration(s, TimescaleSettings.TIMESCALE_COMPRESS_AFTER),
                positiveDuration(s, TimescaleSettings.TIMESCALE_ROLLUP_REFRESH),
                embeddingSettings(s), SpoolSettings.from(s, BufferedUsageWriter.SPOOL_KIND));
        if (dataSource != null) {
            Duration connectTimeout = s.duration(CoreSettings.DB_POOL_CONNECT_TIMEOUT);
            return PostgresBackend.open(dataSource, config.postgres(), connectTimeout, options, context);
        }
        PostgresConfig pg = config.postgres().orElseThrow(() -> new ConfigException("PostgreSQL is not configured"));
        return PostgresBackend.open(pg, options, context);
    }

    private static EmbeddingSettings embeddingSettings(Settings s) {
        int dimensions = s.intValue(TimescaleSettings.EMBEDDING_DIMENSIONS, 1);
        if (dimensions > 16_000) {
            throw s.invalid(TimescaleSettings.EMBEDDING_DIMENSIONS, "at most 16000 (pgvector's vector type)");
        }
        EmbeddingSettings.Index index = s.enumValue(TimescaleSettings.EMBEDDING_INDEX, EmbeddingSettings.Index.class);
        if (index != EmbeddingSettings.Index.NONE && dimensions > EmbeddingSettings.MAX_INDEXED_DIMENSIONS) {
            throw s.invalid(TimescaleSettings.EMBEDDING_DIMENSIONS, "at most " + EmbeddingSettings.MAX_INDEXED_DIMENSIONS
                    + " with EMBEDDING_INDEX=" + index.name().toLowerCase(java.util.Locale.ROOT)
                    + " (pgvector indexes no longer vectors), or EMBEDDING_INDEX=none");
        }
        int efSearch = s.intValue(TimescaleSettings.EMBEDDING_EF_SEARCH, 1);
        if (efSearch > 1000) {
            throw s.invalid(TimescaleSettings.EMBEDDING_EF_SEARCH, "at most 1000 (pgvector's limit)");
        }
        return new EmbeddingSettings(dimensions, index,
                s.enumValue(TimescaleSettings.EMBEDDING_DISTANCE, io.llmstore.core.embedding.DistanceMetric.class),
                efSearch, s.intValue(TimescaleSettings.EMBEDDING_IVFFLAT_LISTS, 1),
                s.intValue(TimescaleSettings.EMBEDDING_IVFFLAT_PROBES, 1));
    }

    /** The daily rollup's refresh window starts at the retention horizon and must span two days past its end. */
    private static Optional<Duration> retention(Settings s) {
        Optional<Duration> retention = optionalDuration(s, TimescaleSettings.TIMESCALE_RETENTION);
        if (retention.isPresent() && retention.get().compareTo(Duration.ofDays(3)) < 0) {
            throw s.invalid(TimescaleSettings.TIMESCALE_RETENTION, "at least 3d (the daily rollup refreshes the days"
                    + " between the retention horizon and yesterday, at least two of them)");
        }
        return retention;
    }

    private static Duration positiveDuration(Settings s, io.llmstore.core.config.Setting setting) {
        Duration d = s.duration(setting);
        if (d.isZero() || d.isNegative()) {
            throw s.invalid(setting, "a positive duration such as 5m");
        }
        return d;
    }

    private static Optional<Duration> optionalDuration(Settings s, io.llmstore.core.config.Setting setting) {
        return s.isSet(setting.name()) ? Optional.of(s.duration(setting)) : Optional.empty();
    }
}
