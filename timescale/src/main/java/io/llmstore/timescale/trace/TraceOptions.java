package io.llmstore.timescale.trace;

import io.llmstore.core.buffer.BufferSizes;
import io.llmstore.core.buffer.SpoolSettings;
import io.llmstore.core.config.CacheSpec;
import io.llmstore.core.config.Settings;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.price.PriceCatalog;
import io.llmstore.timescale.TimescaleSettings;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The trace feature's resolved settings ({@code TRACE_*}, {@code CACHE_TRACE_ID_*}; see docs/configuration.md).
 *
 * @param capacity             most spans buffered ({@code TRACE_BUFFER_CAPACITY})
 * @param flushSize            spans per batch ({@code TRACE_FLUSH_SIZE})
 * @param flushInterval        longest a buffered span waits ({@code TRACE_FLUSH_INTERVAL})
 * @param fullTimeout          longest {@code write} waits for room ({@code TRACE_BUFFER_FULL_TIMEOUT})
 * @param shutdownFlushTimeout longest the JVM's exit waits for buffered spans ({@code TRACE_SHUTDOWN_FLUSH_TIMEOUT})
 * @param catalog              prices spans with usage but no cost ({@code TRACE_FILL_MISSING_COST}); null = off
 * @param recordUsage          also record each span's usage row ({@code TRACE_RECORD_USAGE})
 * @param traceCache           the known-traces cache; its size ({@code CACHE_TRACE_ID_SIZE}) is used, not its TTL
 * @param spool                the spans' spool ({@code SPOOL_*}, directory {@code <SPOOL_DIR>/span}); empty = none
 */
public record TraceOptions(int capacity, int flushSize, Duration flushInterval, Duration fullTimeout,
                           Duration shutdownFlushTimeout, PriceCatalog catalog, boolean recordUsage,
                           CacheSpec traceCache, Optional<SpoolSettings> spool) {
    /** Default known-traces cache: 100,000 traces (the TTL is not used: an entry is never stale). */
    public static final long DEFAULT_TRACE_CACHE_SIZE = 100_000;
    public static final Duration DEFAULT_TRACE_CACHE_TTL = Duration.ofHours(1);
    /** The spans' spool directory under {@code SPOOL_DIR}. */
    public static final String SPOOL_KIND = "span";

    public TraceOptions {
        Objects.requireNonNull(flushInterval, "flushInterval");
        Objects.requireNonNull(fullTimeout, "fullTimeout");
        Objects.requireNonNull(shutdownFlushTimeout, "shutdownFlushTimeout");
        Objects.requireNonNull(traceCache, "traceCache");
        Objects.requireNonNull(spool, "spool");
    }

    /**
     * The options {@code config} sets; a bad value fails naming its variable.
     *
     * @throws io.llmstore.core.error.ConfigException naming the variable and the expected form
     */
    public static TraceOptions from(StorageConfig config) {
        Settings s = config.settings();
        BufferSizes sizes = BufferSizes.from(s, TimescaleSettings.TRACE_BUFFER_CAPACITY, TimescaleSettings.TRACE_FLUSH_SIZE,
                TimescaleSettings.TRACE_FLUSH_INTERVAL);
        return new TraceOptions(sizes.capacity(), sizes.flushSize(), sizes.flushInterval(),
                s.duration(TimescaleSettings.TRACE_BUFFER_FULL_TIMEOUT),
                s.duration(TimescaleSettings.TRACE_SHUTDOWN_FLUSH_TIMEOUT),
                s.booleanValue(TimescaleSettings.TRACE_FILL_MISSING_COST) ? PriceCatalog.bundled() : null,
                s.booleanValue(TimescaleSettings.TRACE_RECORD_USAGE),
                config.cache("trace_id", DEFAULT_TRACE_CACHE_SIZE, DEFAULT_TRACE_CACHE_TTL),
                SpoolSettings.from(s, SPOOL_KIND));
    }
}
