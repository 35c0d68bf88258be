package io.llmstore.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The results of one run: the machine, the mode and one row per measure (or per failed benchmark), written as a
 * Markdown table ({@code latest.md}) and as JSON ({@code latest.json}) with the same content.
 */
public final class BenchReport {
    private final RunMode mode;
    private final Machine machine;
    private final List<Row> rows;

    /** A report of {@code rows}, measured in {@code mode} on {@code machine}. */
    public BenchReport(RunMode mode, Machine machine, List<Row> rows) {
        this.mode = mode;
        this.machine = machine;
        this.rows = List.copyOf(rows);
    }

    /** The rows in run order. */
    public List<Row> rows() {
        return rows;
    }

    /** True when a benchmark failed. */
    public boolean anyFailed() {
        return rows.stream().anyMatch(Row::failed);
    }

    /** Writes {@code latest.md} and {@code latest.json} into {@code dir}, creating it. */
    public void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("latest.md"), markdown(), StandardCharsets.UTF_8);
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        Files.writeString(dir.resolve("latest.json"), json.writeValueAsString(toJson()) + "\n", StandardCharsets.UTF_8);
    }

    /** The table with its machine header, as Markdown. */
    public String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# llmstore benchmarks\n\n");
        md.append("- machine: ").append(machine.cores()).append(" cores (").append(machine.cpu()).append("), ")
                .append(machine.os()).append(", Java ").append(machine.java()).append(", max heap ")
                .append(machine.maxHeapMb()).append(" MB, load average at start ")
                .append(String.format(Locale.ROOT, "%.2f", machine.loadAverage())).append("\n");
        md.append("- date: ").append(machine.date()).append(", commit: ").append(machine.commit())
                .append(", mode: ").append(mode.label()).append("\n\n");
        md.append("Ratio = ours / baseline. Baselines are measured in the same run, on the same machine and data, "
                + "unless the baseline says it is a published figure. For latency (us), lower is better. Benchmarks "
                + "are not tests: nothing asserts on these numbers.\n\n");
        md.append("| benchmark | measure | ours | baseline | ratio | goal | met? | conditions |\n");
        md.append("|---|---|---:|---|---:|---|---|---|\n");
        for (Row r : rows) {
            if (r.failed()) {
                md.append("| ").append(cell(r.benchmark())).append(" | FAILED | | | | | FAILED | ")
                        .append(cell(r.error())).append(" |\n");
                continue;
            }
            Measure m = r.measure();
            md.append("| ").append(cell(r.benchmark()))
                    .append(" | ").append(cell(m.name()))
                    .append(" | ").append(number(m.ours())).append(' ').append(m.unit())
                    .append(" | ").append(m.hasBaseline() ? number(m.baseline()) + " " + m.unit() + ": " : "")
                    .append(cell(m.baselineName()))
                    .append(" | ").append(Double.isNaN(m.ratio()) ? "" : ratio(m.ratio()) + "x")
                    .append(" | ").append(cell(m.goal()))
                    .append(" | ").append(m.met() ? "yes" : "no")
                    .append(" | ").append(cell(m.conditions()))
                    .append(" |\n");
        }
        return md.toString();
    }

    private Map<String, Object> toJson() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("mode", mode.label());
        root.put("machine", machine);
        List<Map<String, Object>> list = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("benchmark", r.benchmark());
            Measure m = r.measure();
            row.put("measure", m == null ? null : m.name());
            row.put("unit", m == null ? null : m.unit());
            row.put("ours", m == null ? null : finite(m.ours()));
            row.put("baseline", m == null ? null : finite(m.baseline()));
            row.put("baselineName", m == null ? null : m.baselineName());
            row.put("ratio", m == null ? null : finite(m.ratio()));
            row.put("goal", m == null ? null : m.goal());
            row.put("met", m == null ? null : m.met());
            row.put("conditions", m == null ? null : m.conditions());
            row.put("failed", r.failed());
            row.put("error", r.error());
            row.put("seconds", Math.round(r.seconds() * 10) / 10.0);
            list.add(row);
        }
        root.put("rows", list);
        return root;
    }

    /** JSON has no NaN: a missing number is null. */
    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static String cell(String text) {
        return text == null ? "" : text.replace("|", "\\|").replace("\n", " ");
    }

    static String number(double v) {
        if (Double.isNaN(v)) {
            return "";
        }
        double a = Math.abs(v);
        if (a >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.3f", v);
    }

    private static String ratio(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : v >= 0.01
                ? String.format(Locale.ROOT, "%.2f", v) : String.format(Locale.ROOT, "%.2g", v);
    }

    /**
     * One table row: a measure of a benchmark, or the benchmark's failure.
     *
     * @param benchmark the benchmark's name
     * @param measure   the measure, null when the benchmark failed
     * @param error     why it failed, null when it did not
     * @param seconds   how long the whole benchmark took
     */
    public record Row(String benchmark, Measure measure, String error, double seconds) {
        static Row of(String benchmark, Measure measure, double seconds) {
            return new Row(benchmark, measure, null, seconds);
        }

        static Row failed(String benchmark, String error, double seconds) {
            return new Row(benchmark, null, error, seconds);
        }

        /** True when this row records a failure. */
        public boolean failed() {
            return measure == null;
        }
    }

    /**
     * The machine and code a run measured.
     *
     * @param cores     available processors
     * @param cpu       CPU model name, "unknown" when not readable
     * @param java      Java version and VM
     * @param os        OS name, version and architecture
     * @param maxHeapMb the JVM's max heap
     * @param loadAverage the system load average over the last minute when measured (other work skews numbers),
     *                    -1 when unknown
     * @param date      when the run started, UTC
     * @param commit    git commit (with "-dirty" for uncommitted changes), from {@code LLMSTORE_GIT_COMMIT} or git
     */
    public record Machine(int cores, String cpu, String java, String os, long maxHeapMb, double loadAverage,
                          String date, String commit) {
        /** This machine, now (call it before the benchmarks run, so the load average is theirs to compete with). */
        public static Machine detect() {
            Runtime rt = Runtime.getRuntime();
            return new Machine(rt.availableProcessors(), cpuModel(),
                    System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")",
                    System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                            + System.getProperty("os.arch"),
                    rt.maxMemory() / (1 << 20), ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                    Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), gitCommit());
        }

        private static String cpuModel() {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                    if (line.startsWith("model name")) {
                        return line.substring(line.indexOf(':') + 1).strip();
                    }
                }
            } catch (IOException | RuntimeException e) {
                // Not Linux, or not readable: the model is a nicety.
            }
            String name = ManagementFactory.getOperatingSystemMXBean().getArch();
            return name == null ? "unknown" : name;
        }

        private static String gitCommit() {
            String fromEnv = System.getenv("LLMSTORE_GIT_COMMIT");
            if (fromEnv != null && !fromEnv.isBlank()) {
                return fromEnv.strip();
            }
            String head = git("rev-parse", "--short=12", "HEAD");
            if (head.isEmpty()) {
                return "unknown";
            }
            return git("status", "--porcelain", "--untracked-files=no").isEmpty() ? head : head + "-dirty";
        }

        private static String git(String... args) {
            List<String> command = new ArrayList<>(List.of("git"));
            command.addAll(List.of(args));
            try {
                Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
                p.getOutputStream().close();
                String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    return "";
                }
                return text;
            } catch (IOException e) {
                return "";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "";
            }
        }
    }
}
