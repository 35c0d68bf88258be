package io.llmstore.core.usage;

/**
 * Where a usage row's token counts come from, stored in {@code llm_usage_metrics.usage_source} as
 * {@link #value()}, so bills and analytics can tell provider-reported usage from llmstore's estimates.
 */
public enum UsageSource {
    /** The provider reported the counts (a response's or a stream's usage). */
    REPORTED("reported"),
    /**
     * llmstore estimated some count: an aborted stream, or one that carried no usage (the counting rule is in
     * {@code docs/streaming.md}).
     */
    ESTIMATED("estimated"),
    /** Answered from the response cache without calling the provider; the counts are the cached call's. */
    CACHE_HIT("cache_hit");

    private final String value;

    UsageSource(String value) {
        this.value = value;
    }

    /** The stored text: {@code reported}, {@code estimated} or {@code cache_hit}. */
    public String value() {
        return value;
    }

    /**
     * The source stored as {@code value}; null for null.
     *
     * @throws IllegalArgumentException naming the allowed values when {@code value} is none of them
     */
    public static UsageSource of(String value) {
        if (value == null) {
            return null;
        }
        for (UsageSource s : values()) {
            if (s.value.equals(value)) {
                return s;
            }
        }
        throw new IllegalArgumentException("usageSource must be one of reported, estimated, cache_hit, was '" + value + "'");
    }
}
