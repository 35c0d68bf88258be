package io.llmstore.core.export;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * Writes query results as CSV (RFC 4180): a header of the record's component names, then one line per record.
 * Nulls are empty fields, {@link BigDecimal}s plain (no exponent), instants ISO-8601, maps as JSON objects; a field
 * containing a comma, quote, CR or LF is quoted with inner quotes doubled. Works for every result record of every
 * feature (usage, operations).
 */
public final class Csv {
    private Csv() {
    }

    /**
     * Writes {@code rows} to {@code out} (which the caller owns: it is flushed, not closed). An empty list writes
     * nothing, since there is no record type to name the columns.
     *
     * @throws UncheckedIOException when the writer fails
     */
    public static void write(List<? extends Record> rows, Writer out) {
        if (rows.isEmpty()) {
            return;
        }
        try {
            RecordComponent[] components = Columns.of(rows.get(0));
            for (int i = 0; i < components.length; i++) {
                if (i > 0) {
                    out.write(',');
                }
                out.write(components[i].getName());
            }
            out.write("\r\n");
            for (Record row : rows) {
                for (int i = 0; i < components.length; i++) {
                    if (i > 0) {
                        out.write(',');
                    }
                    out.write(field(Columns.value(components[i], row)));
                }
                out.write("\r\n");
            }
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("CSV export failed", e);
        }
    }

    /** One field, quoted when it must be. */
    public static String field(Object value) {
        if (value == null) {
            return "";
        }
        String text = value instanceof BigDecimal d ? d.toPlainString()
                : value instanceof Map<?, ?> m ? Columns.json(m)
                : String.valueOf(value);
        boolean quote = false;
        for (int i = 0; i < text.length() && !quote; i++) {
            char c = text.charAt(i);
            quote = c == ',' || c == '"' || c == '\r' || c == '\n';
        }
        return quote ? '"' + text.replace("\"", "\"\"") + '"' : text;
    }
}
