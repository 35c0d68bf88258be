package io.llmstore.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The one command that runs every benchmark and writes the table. Finds each {@link Benchmark} through
 * {@link ServiceLoader} ({@code META-INF/services/io.llmstore.bench.Benchmark}), runs the selected ones one after
 * another against the test servers ({@link BenchServers}), and writes {@code latest.md} and {@code latest.json} to
 * the output directory, printing the table too. A benchmark that throws or overruns its time limit becomes a failed
 * row; the others still run, and the exit status is then 1.
 *
 * <pre>
 * BenchRunner [--smoke | --long] [--only name,name] [--out dir] [--list]
 *   --smoke   seconds per benchmark, proves the harness works (CI); numbers mean little
 *   --long    longer runs for numbers worth publishing (default: a few minutes in all)
 *   --only    run only these benchmarks (names as --list prints them)
 *   --out     where latest.md and latest.json go (default bench/results)
 *   --list    print the benchmark names and exit
 *   --help    print the usage line and exit
 * </pre>
 *
 * Exit status: 0 when every selected benchmark produced rows, 1 when one failed, 2 on a bad command line. Goals
 * missed do not change it: benchmarks are not tests.
 */
public final class BenchRunner {
    /** Longest a single benchmark may run, by mode, before it is recorded as failed and the run moves on. */
    static final Map<RunMode, Duration> TIME_LIMITS = Map.of(RunMode.SMOKE, Duration.ofMinutes(3),
            RunMode.DEFAULT, Duration.ofMinutes(20), RunMode.LONG, Duration.ofHours(2));

    private static final String USAGE = "usage: bench [--smoke | --long] [--only name,name] [--out dir] [--list]";

    private BenchRunner() {
    }

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        int status;
        try {
            status = run(args, System.out);
        } catch (IOException e) {
            System.err.println("bench: cannot write the results: " + e);
            status = 1;
        }
        System.exit(status);
    }

    /**
     * Runs the command line, printing progress and the table to {@code out}.
     *
     * @return the exit status (0 all ran, 1 a benchmark failed, 2 bad arguments)
     * @throws IOException when the results cannot be written
     */
    public static int run(String[] args, PrintStream out) throws IOException {
        Arguments arguments;
        try {
            arguments = Arguments.parse(args);
        } catch (IllegalArgumentException e) {
            out.println("bench: " + e.getMessage());
            out.println(USAGE);
            return 2;
        }
        if (arguments.help) {
            out.println(USAGE);
            return 0;
        }
        Map<String, Benchmark> all = discover();
        if (arguments.list) {
            all.keySet().forEach(out::println);
            return 0;
        }
        List<Benchmark> selected = new ArrayList<>();
        if (arguments.only.isEmpty()) {
            selected.addAll(all.values());
        } else {
            for (String name : arguments.only) {
                Benchmark b = all.get(name);
                if (b == null) {
                    out.println("bench: no benchmark named '" + name + "'; known: " + String.join(", ", all.keySet()));
                    return 2;
                }
                selected.add(b);
            }
        }

        return run(selected, arguments.mode, arguments.out, out);
    }

    /**
     * Runs {@code benchmarks} in order in {@code mode}, writes the results into {@code dir} and prints the table.
     *
     * @return 0 when every benchmark produced rows, 1 when one failed
     * @throws IOException when the results cannot be written
     */
    static int run(List<Benchmark> benchmarks, RunMode mode, Path dir, PrintStream out) throws IOException {
        BenchReport.Machine machine = BenchReport.Machine.detect();
        BenchServers servers = new BenchServers();
        List<BenchReport.Row> rows = new ArrayList<>();
        for (Benchmark b : benchmarks) {
            out.println("bench: running " + b.name() + " (" + mode.label() + ")");
            rows.addAll(runOne(b, servers, mode, out));
        }
        BenchReport report = new BenchReport(mode, machine, rows);
        report.write(dir);
        out.println();
        out.print(report.markdown());
        out.println("bench: wrote " + dir.resolve("latest.md") + " and latest.json");
        return report.anyFailed() ? 1 : 0;
    }

    /** Every benchmark on the class path, by name, in the order the service files list them. */
    public static Map<String, Benchmark> discover() {
        Map<String, Benchmark> byName = new LinkedHashMap<>();
        for (Benchmark b : ServiceLoader.load(Benchmark.class)) {
            Benchmark previous = byName.putIfAbsent(b.name(), b);
            if (previous != null && previous.getClass() != b.getClass()) {
                throw new IllegalStateException("two benchmarks are named '" + b.name() + "': "
                        + previous.getClass().getName() + " and " + b.getClass().getName());
            }
        }
        return byName;
    }

    private static List<BenchReport.Row> runOne(Benchmark b, BenchServers servers, RunMode mode, PrintStream out) {
        long start = System.nanoTime();
        // Its own daemon thread, so a benchmark that hangs costs its time limit, not the whole run.
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "bench-" + b.name());
            t.setDaemon(true);
            return t;
        });
        Duration limit = TIME_LIMITS.get(mode);
        try {
            Future<List<Measure>> future = executor.submit(() -> b.run(servers, mode));
            List<Measure> measures = future.get(limit.toMillis(), TimeUnit.MILLISECONDS);
            double seconds = (System.nanoTime() - start) / 1e9;
            if (measures == null || measures.isEmpty()) {
                return List.of(BenchReport.Row.failed(b.name(), "returned no measures", seconds));
            }
            List<BenchReport.Row> rows = new ArrayList<>();
            for (Measure m : measures) {
                rows.add(BenchReport.Row.of(b.name(), m, seconds));
            }
            out.printf("bench: %s done in %.1f s, %d rows%n", b.name(), seconds, rows.size());
            return rows;
        } catch (TimeoutException e) {
            return List.of(failure(b, "did not finish within " + limit + " (" + mode.label() + " mode)", start, out));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            cause.printStackTrace(out);
            return List.of(failure(b, describe(cause), start, out));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of(failure(b, "interrupted", start, out));
        } finally {
            executor.shutdownNow();
        }
    }

    private static BenchReport.Row failure(Benchmark b, String error, long start, PrintStream out) {
        out.println("bench: " + b.name() + " FAILED: " + error);
        return BenchReport.Row.failed(b.name(), error, (System.nanoTime() - start) / 1e9);
    }

    /** The exception and its causes in one line: "RunnerException: ... <- SQLException: ...". */
    static String describe(Throwable t) {
        StringBuilder text = new StringBuilder();
        Set<Throwable> seen = new LinkedHashSet<>();
        for (Throwable c = t; c != null && seen.add(c); c = c.getCause()) {
            if (text.length() > 0) {
                text.append(" <- ");
            }
            text.append(c.getClass().getSimpleName());
            if (c.getMessage() != null) {
                text.append(": ").append(c.getMessage().strip());
            }
        }
        return text.toString();
    }

    /** The parsed command line. */
    private record Arguments(RunMode mode, List<String> only, Path out, boolean list, boolean help) {
        static Arguments parse(String[] args) {
            RunMode mode = RunMode.DEFAULT;
            List<String> only = new ArrayList<>();
            Path out = Path.of("bench", "results");
            boolean list = false;
            boolean help = false;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--smoke", "--long" -> {
                        RunMode chosen = a.equals("--smoke") ? RunMode.SMOKE : RunMode.LONG;
                        if (mode != RunMode.DEFAULT && mode != chosen) {
                            throw new IllegalArgumentException("--smoke and --long exclude each other");
                        }
                        mode = chosen;
                    }
                    case "--only" -> {
                        for (String name : value(args, ++i, a).split(",")) {
                            if (!name.isBlank()) {
                                only.add(name.strip());
                            }
                        }
                    }
                    case "--out" -> out = Path.of(value(args, ++i, a));
                    case "--list" -> list = true;
                    case "--help", "-h" -> help = true;
                    default -> throw new IllegalArgumentException("unknown argument '" + a + "'");
                }
            }
            return new Arguments(mode, only, out, list, help);
        }

        private static String value(String[] args, int i, String flag) {
            if (i >= args.length || args[i].startsWith("--")) {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            return args[i];
        }
    }
}
