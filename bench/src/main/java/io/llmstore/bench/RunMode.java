package io.llmstore.bench;

/** How long a benchmark run takes: chosen on the command line of {@link BenchRunner}. */
public enum RunMode {
    /** Seconds per benchmark: proves the harness still works (CI runs it); the numbers mean little. */
    SMOKE,
    /** The default: a few minutes in all on 2 cores, numbers good to about ten percent. */
    DEFAULT,
    /** {@code --long}: more data, more iterations and forks, for numbers worth publishing. */
    LONG;

    /** The flag's word, lower case: "smoke", "default", "long". */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
