package io.llmstore.timescale;

import io.llmstore.core.config.Setting;
import java.util.List;

/**
 * The variables the PostgreSQL/TimescaleDB module reads (besides core's {@code DATABASE_URL}, {@code DB_*} pool and
 * retry settings). docs/configuration.md lists them with these defaults.
 */
public final class TimescaleSettings {
    private TimescaleSettings() {
    }

    public static final Setting DB_SCHEMA = Setting.of("DB_SCHEMA", "public",
            "schema holding the usage tables; the pool's search_path is <DB_SCHEMA>, public");
    public static final Setting DB_MIGRATE_ON_START = Setting.of("DB_MIGRATE_ON_START", "false",
            "apply pending schema migrations when the pool starts (else call pool.usage().migrate())");
    public static final Setting DB_TIMESCALEDB = Setting.of("DB_TIMESCALEDB", "auto",
            "auto|on|off: install the TimescaleDB schema (hypertable, continuous aggregates); auto = when the extension can be used (created, or in shared_preload_libraries), else plain PostgreSQL with a WARN; on = fail otherwise");
    public static final Setting DB_WRITE_MODE = Setting.of("DB_WRITE_MODE", "auto",
            "auto|copy|insert: bulk path for usage rows; auto = COPY unless the server cannot COPY (PGlite)");
    public static final Setting USAGE_METADATA_MAX_BYTES = Setting.of("USAGE_METADATA_MAX_BYTES", "16384",
            "largest metadata JSON object per usage row, in UTF-8 bytes");
    public static final Setting USAGE_BUFFER_CAPACITY = Setting.of("USAGE_BUFFER_CAPACITY", "100000",
            "most rows the async usage writer holds before back-pressure");
    public static final Setting USAGE_FLUSH_SIZE = Setting.of("USAGE_FLUSH_SIZE", "5000",
            "rows per batch; a write starts as soon as this many are buffered");
    public static final Setting USAGE_FLUSH_INTERVAL = Setting.of("USAGE_FLUSH_INTERVAL", "1s",
            "longest a buffered row waits before a write starts");
    public static final Setting USAGE_BUFFER_FULL_POLICY = Setting.of("USAGE_BUFFER_FULL_POLICY", "block",
            "block|reject: when the buffer is full, wait up to USAGE_BUFFER_FULL_TIMEOUT or fail at once (BufferFullException)");
    public static final Setting USAGE_BUFFER_FULL_TIMEOUT = Setting.of("USAGE_BUFFER_FULL_TIMEOUT", "5s",
            "longest record() waits for room under the block policy");
    public static final Setting USAGE_SHUTDOWN_FLUSH_TIMEOUT = Setting.of("USAGE_SHUTDOWN_FLUSH_TIMEOUT", "10s",
            "at JVM exit (SIGTERM, System.exit) a shutdown hook writes the buffered usage rows, waiting at most this long; 0 = no hook");
    public static final Setting USAGE_FILL_MISSING_COST = Setting.of("USAGE_FILL_MISSING_COST", "false",
            "price rows that carry tokens but no cost (bundled price catalog, or a UsageCostFiller port)");
    public static final Setting TIMESCALE_RETENTION = Setting.of("TIMESCALE_RETENTION", null,
            "TimescaleDB only: drop raw usage chunks older than this (e.g. 90d, at least 3d); the rollups keep their buckets; unset = keep forever");
    public static final Setting TIMESCALE_COMPRESS_AFTER = Setting.of("TIMESCALE_COMPRESS_AFTER", null,
            "TimescaleDB only: compress raw usage chunks older than this (e.g. 7d); unset = no compression");

    public static final Setting TIMESCALE_ROLLUP_REFRESH = Setting.of("TIMESCALE_ROLLUP_REFRESH", "1m",
            "TimescaleDB only: how often the refresh policies materialize the hourly/daily rollups over all time; a row in an already materialized bucket (late, replayed) appears in hourly()/daily() within this plus one refresh run");

    public static final Setting TRACE_BUFFER_CAPACITY = Setting.of("TRACE_BUFFER_CAPACITY", "100000",
            "most spans pool.traces().write() holds before back-pressure");
    public static final Setting TRACE_FLUSH_SIZE = Setting.of("TRACE_FLUSH_SIZE", "5000",
            "spans per COPY batch; a write starts as soon as this many are buffered");
    public static final Setting TRACE_FLUSH_INTERVAL = Setting.of("TRACE_FLUSH_INTERVAL", "1s",
            "longest a buffered span waits before a write starts");
    public static final Setting TRACE_BUFFER_FULL_TIMEOUT = Setting.of("TRACE_BUFFER_FULL_TIMEOUT", "5s",
            "longest write() waits for room in a full span buffer before BufferFullException");
    public static final Setting TRACE_SHUTDOWN_FLUSH_TIMEOUT = Setting.of("TRACE_SHUTDOWN_FLUSH_TIMEOUT", "10s",
            "at JVM exit a shutdown hook writes the buffered spans, waiting at most this long; 0 = no hook");
    public static final Setting TRACE_FILL_MISSING_COST = Setting.of("TRACE_FILL_MISSING_COST", "true",
            "price spans that carry usage, a provider and a model but no cost, from the bundled price catalog (price source stored with it)");
    public static final Setting TRACE_RECORD_USAGE = Setting.of("TRACE_RECORD_USAGE", "false",
            "also record one usage row per span with usage (event id derived from the trace and span ids, so replays store it once), so the usage analytics see traced calls");
    public static final Setting OPERATION_BUFFER_CAPACITY = Setting.of("OPERATION_BUFFER_CAPACITY", "10000",
            "most operations (each with its messages) pool.operations().buffered() holds before back-pressure (it waits up to 5s, then BufferFullException)");
    public static final Setting OPERATION_FLUSH_SIZE = Setting.of("OPERATION_FLUSH_SIZE", "500",
            "operations per batch transaction of pool.operations().buffered(); a write starts as soon as this many are buffered");
    public static final Setting OPERATION_FLUSH_INTERVAL = Setting.of("OPERATION_FLUSH_INTERVAL", "1s",
            "longest a buffered operation waits before a write starts");
    public static final Setting EMBEDDING_DIMENSIONS = Setting.of("EMBEDDING_DIMENSIONS", "1536",
            "length of the vectors pool.embeddings() stores (document_embeddings.embedding is vector(N)); fixed once migrated, 1..16000, at most 2000 with an index");
    public static final Setting EMBEDDING_INDEX = Setting.of("EMBEDDING_INDEX", "hnsw",
            "vector index of document_embeddings: hnsw, ivfflat (build it after loading: lists are chosen from the rows present) or none (exact scans); changed at the next migration");
    public static final Setting EMBEDDING_DISTANCE = Setting.of("EMBEDDING_DISTANCE", "cosine",
            "metric the index serves: cosine, l2 or inner-product; searches by another metric scan exactly");
    public static final Setting EMBEDDING_EF_SEARCH = Setting.of("EMBEDDING_EF_SEARCH", "100",
            "HNSW candidates per search (hnsw.ef_search, set per search), 1..1000; 100 gave recall@10 >= 0.95 on 10k x 384 clustered vectors");
    public static final Setting EMBEDDING_IVFFLAT_LISTS = Setting.of("EMBEDDING_IVFFLAT_LISTS", "100",
            "IVFFlat lists at index build (about rows/1000 up to 1M rows)");
    public static final Setting EMBEDDING_IVFFLAT_PROBES = Setting.of("EMBEDDING_IVFFLAT_PROBES", "10",
            "IVFFlat lists probed per search (ivfflat.probes, set per search)");

    /** Every setting of this module, in the order docs/configuration.md lists them. */
    public static final List<Setting> ALL = List.of(DB_SCHEMA, DB_MIGRATE_ON_START, DB_TIMESCALEDB, DB_WRITE_MODE,
            USAGE_METADATA_MAX_BYTES, USAGE_BUFFER_CAPACITY, USAGE_FLUSH_SIZE, USAGE_FLUSH_INTERVAL,
            USAGE_BUFFER_FULL_POLICY, USAGE_BUFFER_FULL_TIMEOUT, USAGE_SHUTDOWN_FLUSH_TIMEOUT, USAGE_FILL_MISSING_COST,
            TIMESCALE_RETENTION, TIMESCALE_COMPRESS_AFTER, TIMESCALE_ROLLUP_REFRESH,
            TRACE_BUFFER_CAPACITY, TRACE_FLUSH_SIZE, TRACE_FLUSH_INTERVAL, TRACE_BUFFER_FULL_TIMEOUT,
            TRACE_SHUTDOWN_FLUSH_TIMEOUT, TRACE_FILL_MISSING_COST, TRACE_RECORD_USAGE, OPERATION_BUFFER_CAPACITY,
            OPERATION_FLUSH_SIZE, OPERATION_FLUSH_INTERVAL, EMBEDDING_DIMENSIONS,
            EMBEDDING_INDEX, EMBEDDING_DISTANCE, EMBEDDING_EF_SEARCH, EMBEDDING_IVFFLAT_LISTS, EMBEDDING_IVFFLAT_PROBES);
}
