package io.llmstore.core.export;

import io.llmstore.core.error.NotConfiguredException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Writes query results as an Apache Parquet file that Polars ({@code pl.read_parquet}), pandas
 * ({@code pd.read_parquet}) and DuckDB ({@code read_parquet}) load directly, types kept. One column per record
 * component, named in snake_case ({@code operationId} → {@code operation_id}, the database's names), every column
 * nullable but primitives'. Types:
 *
 * <table>
 *   <caption>Java component → Parquet column</caption>
 *   <tr><th>Java</th><th>Parquet (DuckDB reads it as)</th></tr>
 *   <tr><td>{@code UUID}</td><td>FIXED_LEN_BYTE_ARRAY(16) UUID (UUID)</td></tr>
 *   <tr><td>{@code Instant}</td><td>INT64 TIMESTAMP(MICROS, UTC) (TIMESTAMP WITH TIME ZONE); sub-microsecond digits are dropped, as PostgreSQL's timestamptz drops them</td></tr>
 *   <tr><td>{@code BigDecimal}</td><td>FIXED_LEN_BYTE_ARRAY(16) DECIMAL(38, 18) (DECIMAL(38,18)); a value with more than 18 decimal places or 20 integer digits is refused, naming the column</td></tr>
 *   <tr><td>{@code Map}</td><td>BINARY JSON, the map written as a JSON object (JSON)</td></tr>
 *   <tr><td>{@code String}, enums</td><td>BINARY STRING (VARCHAR)</td></tr>
 *   <tr><td>{@code long}, {@code int}, {@code double}, {@code boolean} and boxes</td><td>INT64, INT32, DOUBLE, BOOLEAN</td></tr>
 * </table>
 *
 * <p>Needs {@code org.apache.parquet:parquet-hadoop} on the class path (an optional dependency of
 * {@code llmstore-core}), and no Hadoop: the file is written through {@code LocalOutputFile}, uncompressed
 * (Parquet's codecs are the part that still needs Hadoop). Exclude {@code org.apache.hadoop:*} from it, as
 * docs/operations.md shows.
 */
public final class Parquet {
    /** Decimal places of a {@code BigDecimal} column (the cost columns' scale). */
    public static final int DECIMAL_SCALE = 18;
    /** Digits of a {@code BigDecimal} column. */
    public static final int DECIMAL_PRECISION = 38;

    private Parquet() {
    }

    /**
     * Writes {@code rows} (records of {@code type}) to {@code file}, replacing it. An empty list writes a file with
     * the columns and no rows.
     *
     * @return how many rows were written
     * @throws NotConfiguredException   when parquet-hadoop is not on the class path
     * @throws IllegalArgumentException when a component's type has no column type above, or a value does not fit
     * @throws UncheckedIOException     when the file cannot be written
     */
    public static <R extends Record> long write(Class<R> type, List<? extends R> rows, Path file) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(rows, "rows");
        Objects.requireNonNull(file, "file");
        try {
            Class.forName("org.apache.parquet.hadoop.ParquetWriter", false, Parquet.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new NotConfiguredException("Parquet export needs org.apache.parquet:parquet-hadoop on the class path"
                    + " (an optional dependency of llmstore-core; exclude org.apache.hadoop:*, see docs/operations.md)");
        }
        try {
            return ParquetFile.write(type, rows, file);
        } catch (IOException e) {
            throw new UncheckedIOException("Parquet export to " + file + " failed", e);
        }
    }
}
