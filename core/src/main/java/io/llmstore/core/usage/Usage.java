package io.llmstore.core.usage;

import io.llmstore.core.internal.UsageView;
import io.llmstore.core.spi.BackendDescriptor;
import io.llmstore.core.spi.Feature;
import io.llmstore.core.stream.StreamRecorder;

/**
 * The usage-recording feature, {@code pool.usage()}: records rows synchronously (this {@link UsageWriter}, with the
 * pool's {@code DB_RETRY_*} retry), asynchronously through the bounded {@link #buffered()} writer, and applies the
 * schema's migrations ({@link #migrate()}). Served by the PostgreSQL backend ({@code llmstore-timescale}).
 *
 * <p>Thread-safe. The pool owns everything reached from here: do not close the buffered writer yourself
 * ({@code pool.close()} flushes and closes it).
 */
public interface Usage extends UsageWriter {
    /** The feature's descriptor: needs PostgreSQL. */
    Feature<Usage> FEATURE = Feature.of("usage recording", Usage.class, BackendDescriptor.POSTGRES);

    /** Records asynchronously through a bounded buffer (flushed by size, interval, {@code flush()} and close). */
    BufferedUsageWriter buffered();

    /** Applies the usage schema's pending migrations (also done at start with {@code DB_MIGRATE_ON_START=true}). */
    MigrationResult migrate();

    /**
     * A builder of a {@link StreamRecorder} (one usage row per streamed call) writing to {@link #buffered()}, and to
     * this synchronous writer for streams still open at JVM shutdown; add a price catalog, rate limiter or cache on
     * it. The recorder is the caller's to close, before the pool.
     */
    default StreamRecorder.Builder streamRecorder() {
        return StreamRecorder.builder(buffered()).shutdownWriter(this);
    }

    /**
     * The feature over an adapter's parts; for backend modules.
     *
     * @param writer   the synchronous writer {@link #record} and {@link #recordAll} delegate to
     * @param buffered the buffered writer
     * @param schema   the schema migrator
     */
    static Usage of(UsageWriter writer, BufferedUsageWriter buffered, UsageSchema schema) {
        return new UsageView(writer, buffered, schema);
    }
}
