package io.llmstore.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Runs {@link TimescaleIngestBenchmark} in smoke mode (seconds) so it cannot rot; {@code -Dllmstore.bench.full=true}
 * runs the full sizes and prints the numbers for the report.
 */
class TimescaleIngestBenchmarkTest {
    @Test
    void theIngestBenchmarkReportsBulkOnBothServersAndTheAsyncWriterWithFsyncOffAndOn() throws Exception {
        boolean full = Boolean.getBoolean("llmstore.bench.full");
        List<Measure> measures = new TimescaleIngestBenchmark().run(new BenchServers(), !full);
        for (Measure m : measures) {
            System.out.println(String.format(Locale.ROOT, "BENCH %s: ours %.0f %s, baseline (%s) %.0f, ratio %.2fx, goal %s %s [%s]",
                    m.name(), m.ours(), m.unit(), m.baselineName(), m.baseline(), m.ratio(), m.goal(),
                    m.met() ? "MET" : "NOT MET", m.conditions()));
        }
        assertThat(measures).hasSize(4);
        assertThat(measures.get(1).name()).contains("TimescaleDB hypertable");
        assertThat(measures).allSatisfy(m -> assertThat(m.ours()).isPositive());
    }
}
