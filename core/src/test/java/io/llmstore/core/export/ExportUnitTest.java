package io.llmstore.core.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CSV and Parquet export without a server; the Parquet files are read back by DuckDB in the timescale tests. */
class ExportUnitTest {
    record Row(String name, BigDecimal amount, Map<String, Object> extras, Long count) {
    }

    record Unmappable(String name, Duration took) {
    }

    @TempDir
    Path dir;

    @Test
    void csvQuotesWhatItMustWritesDecimalsPlainAndMapsAsJson() {
        Map<String, Object> extras = new LinkedHashMap<>();
        extras.put("a", 1);
        extras.put("b", "x,y");
        StringWriter out = new StringWriter();
        Csv.write(List.of(new Row("say \"hi\", then\nleave", new BigDecimal("1E-7"), extras, null)), out);
        assertThat(out.toString()).isEqualTo("name,amount,extras,count\r\n"
                + "\"say \"\"hi\"\", then\nleave\",0.0000001,\"{\"\"a\"\":1,\"\"b\"\":\"\"x,y\"\"}\",\r\n");
    }

    @Test
    void parquetRefusesATypeItDoesNotMapAndADecimalThatDoesNotFitNamingTheColumn() {
        assertThatThrownBy(() -> Parquet.write(Unmappable.class, List.of(), dir.resolve("u.parquet")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("component took of Unmappable has type java.time.Duration");
        assertThatThrownBy(() -> Parquet.write(Row.class, List.of(new Row("x", new BigDecimal("0.0000000000000000001"),
                Map.of(), 1L)), dir.resolve("d.parquet")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("column amount must have at most 18 decimal places");
    }

    @Test
    void parquetWritesAFileWithTheRowCountItReports() throws Exception {
        Path file = dir.resolve("rows.parquet");
        assertThat(Parquet.write(Row.class, List.of(new Row("a", BigDecimal.ONE, Map.of("k", "v"), 3L),
                new Row(null, null, Map.of(), null)), file)).isEqualTo(2);
        byte[] bytes = Files.readAllBytes(file);
        assertThat(new String(bytes, 0, 4)).isEqualTo("PAR1");
        assertThat(new String(bytes, bytes.length - 4, 4)).isEqualTo("PAR1");
    }
}
