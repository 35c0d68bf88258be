package io.llmstore.bench;

import java.util.List;

/**
 * One end-to-end benchmark: measures ours and its baseline in the same run and returns table rows. Each
 * implementation is listed in {@code META-INF/services/io.llmstore.bench.Benchmark}, needs a public no-argument
 * constructor, and is run by {@link BenchRunner}, one at a time, on the runner's thread of choice.
 */
public interface Benchmark {
    /** Short name used to select it on the command line: "timescale-ingest", "redis-limiter". */
    String name();

    /**
     * Runs the benchmark against the servers in {@code servers}.
     *
     * @param smoke true for a seconds-long run that only proves the harness works (CI); false for real numbers
     */
    List<Measure> run(BenchServers servers, boolean smoke) throws Exception;

    /**
     * Runs the benchmark in {@code mode}; what {@link BenchRunner} calls. Override it to give {@link RunMode#LONG}
     * more data or time; by default it runs {@link #run(BenchServers, boolean)}, so LONG is the same as DEFAULT.
     */
    default List<Measure> run(BenchServers servers, RunMode mode) throws Exception {
        return run(servers, mode == RunMode.SMOKE);
    }
}
