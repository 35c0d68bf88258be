package io.llmstore.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the benchmark harness in smoke mode over every registered benchmark against the test servers, so the harness
 * cannot rot. Asserts that it works, never on the numbers: benchmarks are not tests.
 */
class BenchSmokeTest {

    @Test
    void smokeRunOfEveryRegisteredBenchmarkWritesTheTableWithOneGoodRowOrMoreEach(@TempDir Path out) throws Exception {
        Set<String> registered = BenchRunner.discover().keySet();
        assertThat(registered).as("benchmarks listed in META-INF/services").contains("cached-lookup", "price-catalog");
        ByteArrayOutputStream console = new ByteArrayOutputStream();

        int status = BenchRunner.run(new String[] {"--smoke", "--out", out.toString()},
                new PrintStream(console, true, StandardCharsets.UTF_8));

        String printed = console.toString(StandardCharsets.UTF_8);
        assertThat(status).as("exit status; the runner printed:%n%s", printed).isZero();
        assertThat(out.resolve("latest.md")).exists();
        assertThat(out.resolve("latest.json")).exists();
        JsonNode json = new ObjectMapper().readTree(out.resolve("latest.json").toFile());
        assertThat(json.path("mode").asText()).isEqualTo("smoke");
        assertThat(json.path("machine").path("cores").asInt()).isPositive();
        assertThat(json.path("machine").path("java").asText()).isNotBlank();

        Set<String> withRows = new LinkedHashSet<>();
        List<String> bad = new ArrayList<>();
        for (JsonNode row : json.path("rows")) {
            String label = row.path("benchmark").asText() + " / " + row.path("measure").asText();
            withRows.add(row.path("benchmark").asText());
            if (row.path("failed").asBoolean()) {
                bad.add(label + " failed: " + row.path("error").asText());
                continue;
            }
            if (!(row.path("ours").asDouble(0) > 0)) {
                bad.add(label + " has ours " + row.path("ours"));
            }
            if (!row.path("baseline").isNull() && !(row.path("baseline").asDouble(0) > 0)) {
                bad.add(label + " has baseline " + row.path("baseline"));
            }
            if (!row.path("baseline").isNull() && !(row.path("ratio").asDouble(0) > 0)) {
                bad.add(label + " has ratio " + row.path("ratio"));
            }
        }
        assertThat(bad).as("rows that failed or lack a positive number").isEmpty();
        assertThat(withRows).as("benchmarks with at least one row").containsExactlyInAnyOrderElementsOf(registered);

        String table = Files.readString(out.resolve("latest.md"));
        assertThat(table).contains("| benchmark | measure | ours | baseline | ratio | goal | met? | conditions |");
        for (String name : registered) {
            assertThat(table).contains("| " + name + " | ");
        }
        assertThat(printed).as("the table is printed too").contains("| benchmark | measure |");
    }

    @Test
    void aFailingBenchmarkBecomesAFailedRowTheOthersStillRunAndTheExitStatusIsOne(@TempDir Path out) throws Exception {
        Benchmark failing = benchmark("always-fails", () -> {
            throw new IllegalStateException("server went away", new java.net.ConnectException("refused"));
        });
        Benchmark working = benchmark("works", () -> List.of(
                Measure.ratioAtLeast("things/s", "ops/s", 200, 100, "the old way, same run", 1.5, "1 thread")));
        ByteArrayOutputStream console = new ByteArrayOutputStream();

        int status = BenchRunner.run(List.of(failing, working), RunMode.SMOKE, out,
                new PrintStream(console, true, StandardCharsets.UTF_8));

        assertThat(status).isEqualTo(1);
        JsonNode rows = new ObjectMapper().readTree(out.resolve("latest.json").toFile()).path("rows");
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0).path("benchmark").asText()).isEqualTo("always-fails");
        assertThat(rows.get(0).path("failed").asBoolean()).isTrue();
        assertThat(rows.get(0).path("error").asText())
                .isEqualTo("IllegalStateException: server went away <- ConnectException: refused");
        assertThat(rows.get(1).path("benchmark").asText()).isEqualTo("works");
        assertThat(rows.get(1).path("ratio").asDouble()).isEqualTo(2.0);
        assertThat(rows.get(1).path("met").asBoolean()).isTrue();
        assertThat(Files.readString(out.resolve("latest.md")))
                .contains("| always-fails | FAILED |")
                .contains("| works | things/s | 200.0 ops/s | 100.0 ops/s: the old way, same run | 2.00x | >= 1.5x | yes | 1 thread |");
    }

    @Test
    void anUnknownBenchmarkNameIsACommandLineErrorNamingTheKnownOnes(@TempDir Path out) throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();

        int status = BenchRunner.run(new String[] {"--smoke", "--only", "nonexistent", "--out", out.toString()},
                new PrintStream(console, true, StandardCharsets.UTF_8));

        assertThat(status).isEqualTo(2);
        assertThat(console.toString(StandardCharsets.UTF_8))
                .contains("no benchmark named 'nonexistent'; known: ").contains("cached-lookup");
        assertThat(out).isEmptyDirectory();
    }

    private interface Body {
        List<Measure> run() throws Exception;
    }

    private static Benchmark benchmark(String name, Body body) {
        return new Benchmark() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public List<Measure> run(BenchServers servers, boolean smoke) throws Exception {
                return body.run();
            }
        };
    }
}
