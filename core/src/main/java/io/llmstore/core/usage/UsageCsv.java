package io.llmstore.core.usage;

import io.llmstore.core.export.Csv;
import java.io.Writer;
import java.util.List;

/**
 * Writes usage query results as CSV: {@link io.llmstore.core.export.Csv}, the one CSV writer of every feature, kept
 * under this name for the usage API. Works for every result record of {@link UsageQueries} and for
 * {@link UsageMetric} rows.
 */
public final class UsageCsv {
    private UsageCsv() {
    }

    /**
     * Writes {@code rows} to {@code out} as {@link Csv#write} does (the caller owns {@code out}: it is flushed, not
     * closed). An empty list writes nothing.
     *
     * @throws java.io.UncheckedIOException when the writer fails
     */
    public static void write(List<? extends Record> rows, Writer out) {
        Csv.write(rows, out);
    }
}
