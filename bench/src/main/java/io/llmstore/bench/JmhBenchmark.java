package io.llmstore.bench;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * A {@link Benchmark} that runs one JMH class in-process through {@link Runner} and turns its results into table
 * rows. Run lengths by mode: smoke = no fork, 1 x 200 ms warm-up, 1 x 300 ms measured (only proves it runs);
 * default = 1 fork, 3 x 1 s warm-up, 5 x 1 s measured; long = 2 forks, 5 x 2 s warm-up, 10 x 2 s measured.
 * A fork runs with this JVM's class path and arguments.
 */
public abstract class JmhBenchmark implements Benchmark {

    /** The class holding the {@code @org.openjdk.jmh.annotations.Benchmark} methods. */
    protected abstract Class<?> jmhClass();

    /**
     * Rows for the results.
     *
     * @param byMethod   each benchmark method's result, by method name
     * @param conditions the run's JMH settings, to add to each row's conditions
     */
    protected abstract List<Measure> measures(Map<String, RunResult> byMethod, String conditions);

    @Override
    public final List<Measure> run(BenchServers servers, boolean smoke) throws RunnerException {
        return run(servers, smoke ? RunMode.SMOKE : RunMode.DEFAULT);
    }

    @Override
    public final List<Measure> run(BenchServers servers, RunMode mode) throws RunnerException {
        if (mode == RunMode.SMOKE) {
            // JMH refuses to start while another JMH on the machine holds /tmp/jmh.lock; a smoke run's numbers do not
            // matter, so it must not fail because someone else is benchmarking. Real runs keep the lock's protection.
            System.setProperty("jmh.ignoreLock", "true");
        }
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include("^" + Pattern.quote(jmhClass().getName()) + "\\.")
                .shouldFailOnError(true)
                .threads(1);
        String conditions = switch (mode) {
            case SMOKE -> {
                options.forks(0).warmupIterations(1).warmupTime(TimeValue.milliseconds(200))
                        .measurementIterations(1).measurementTime(TimeValue.milliseconds(300))
                        .verbosity(VerboseMode.SILENT);
                yield "JMH smoke: no fork, 1x200ms warm-up, 1x300ms";
            }
            case DEFAULT -> {
                options.forks(1).warmupIterations(3).warmupTime(TimeValue.seconds(1))
                        .measurementIterations(5).measurementTime(TimeValue.seconds(1));
                yield "JMH: 1 fork, 3x1s warm-up, 5x1s";
            }
            case LONG -> {
                options.forks(2).warmupIterations(5).warmupTime(TimeValue.seconds(2))
                        .measurementIterations(10).measurementTime(TimeValue.seconds(2));
                yield "JMH: 2 forks, 5x2s warm-up, 10x2s";
            }
        };
        Collection<RunResult> results = new Runner(options.build()).run();
        Map<String, RunResult> byMethod = new LinkedHashMap<>();
        for (RunResult r : results) {
            String full = r.getParams().getBenchmark();
            byMethod.put(full.substring(full.lastIndexOf('.') + 1), r);
        }
        return measures(byMethod, conditions);
    }

    /** The primary score of {@code method} (in the unit its annotations give); fails if the method did not run. */
    protected static double score(Map<String, RunResult> byMethod, String method) {
        return result(byMethod, method).getPrimaryResult().getScore();
    }

    /** The {@code percentile} (0-100) of a SampleTime method, converted from its output unit to {@code unit}. */
    protected static double percentile(Map<String, RunResult> byMethod, String method, double percentile,
                                       TimeUnit outputUnit, TimeUnit unit) {
        double value = result(byMethod, method).getPrimaryResult().getStatistics().getPercentile(percentile);
        return value * outputUnit.toNanos(1) / unit.toNanos(1);
    }

    /** "score ± error unit" of {@code method}, for the conditions column. */
    protected static String scoreText(Map<String, RunResult> byMethod, String method) {
        var primary = result(byMethod, method).getPrimaryResult();
        if (Double.isNaN(primary.getScoreError())) { // one iteration: JMH has no error bar
            return String.format(java.util.Locale.ROOT, "%,.0f %s", primary.getScore(), primary.getScoreUnit());
        }
        return String.format(java.util.Locale.ROOT, "%,.0f ± %,.0f %s (99.9%% CI)", primary.getScore(),
                primary.getScoreError(), primary.getScoreUnit());
    }

    private static RunResult result(Map<String, RunResult> byMethod, String method) {
        RunResult r = byMethod.get(method);
        if (r == null) {
            throw new IllegalStateException("JMH returned no result for " + method + "; got " + byMethod.keySet());
        }
        return r;
    }
}
