package io.llmstore.bench.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmstore.bench.BenchServers;
import io.llmstore.bench.Measure;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Smoke: the benchmark runs end to end on the real broker and both sides report a rate. */
class KafkaPublishBenchmarkTest {
    @Test
    void smokeRunMeasuresOursAndKafkasOwnTool() throws Exception {
        List<Measure> measures = new KafkaPublishBenchmark().run(new BenchServers(), !Boolean.getBoolean("bench.full"));
        measures.forEach(m -> System.out.printf("BENCH %s: ours %.0f %s, %s %.0f, ratio %.2f (goal %s, met %s) [%s]%n",
                m.name(), m.ours(), m.unit(), m.baselineName(), m.baseline(), m.ratio(), m.goal(), m.met(), m.conditions()));
        assertThat(measures).hasSize(2).allSatisfy(m -> {
            assertThat(m.ours()).isPositive();
            assertThat(m.baseline()).isPositive();
        });
    }
}
