package io.llmstore.core.usage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;

/**
 * Writes query results as CSV (RFC 4180): a header of the record's component names, then one line per record.
 * Nulls are empty fields, {@link BigDecimal}s plain (no exponent), instants ISO-8601; a field containing a comma,
 * quote, CR or LF is quoted with inner quotes doubled. Works for every result record of {@link UsageQueries}
 * and for {@link UsageMetric} rows.
 */
public final class UsageCsv {
    private UsageCsv() {
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
            RecordComponent[] components = rows.get(0).getClass().getRecordComponents();
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
                    out.write(field(value(components[i], row)));
                }
                out.write("\r\n");
            }
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("CSV export failed", e);
        }
    }

    private static Object value(RecordComponent component, Record row) {
        try {
            Object v = component.getAccessor().invoke(row);
            return v instanceof Optional<?> o ? o.orElse(null) : v;
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + component.getName(), e);
        }
    }

    static String field(Object value) {
        if (value == null) {
            return "";
        }
        String text = value instanceof BigDecimal d ? d.toPlainString() : String.valueOf(value);
        boolean quote = false;
        for (int i = 0; i < text.length() && !quote; i++) {
            char c = text.charAt(i);
            quote = c == ',' || c == '"' || c == '\r' || c == '\n';
        }
        return quote ? '"' + text.replace("\"", "\"\"") + '"' : text;
    }
}
