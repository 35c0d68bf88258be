package io.llmstore.core.price;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one call used, in the dataset's counting convention: a count <em>includes</em> the more
 * specific counts below it. {@code inputTokens} is all input, including cache reads, cache writes
 * and input audio; {@code cacheReadTokens} includes {@code cacheAudioReadTokens};
 * {@code outputTokens} is all output, including output audio and reasoning tokens. A count of 0
 * means none.
 *
 * <p>Units the dataset knows beyond these (image, video and text token splits, 1-hour cache
 * writes, audio seconds, document pages, web searches, ...) go in {@code otherUnits}, keyed by the
 * dataset's usage key (for example {@code cache_write_1h_tokens}, {@code web_searches}) and with
 * the same inclusion rule: {@code cache_write_1h_tokens} are also counted in
 * {@code cacheWriteTokens}. These counts are exact decimals: the dataset prices durations
 * ({@code audio_seconds}, {@code input_audio_seconds}, ...) and a provider may report
 * {@code 12.6} seconds, which is priced as 12.6, not truncated.
 *
 * @param inputTokens all input tokens, >= 0
 * @param cacheReadTokens input tokens read from the prompt cache, >= 0
 * @param cacheWriteTokens input tokens written to the prompt cache, >= 0
 * @param outputTokens all output tokens, >= 0
 * @param inputAudioTokens input audio tokens (part of input), >= 0
 * @param cacheAudioReadTokens audio tokens read from cache (part of cache reads and input audio), >= 0
 * @param outputAudioTokens output audio tokens (part of output), >= 0
 * @param outputReasoningTokens reasoning tokens (part of output), >= 0
 * @param otherUnits further counts by dataset usage key, each a decimal >= 0; never null, unmodifiable
 */
public record TokenUsage(long inputTokens, long cacheReadTokens, long cacheWriteTokens, long outputTokens,
                         long inputAudioTokens, long cacheAudioReadTokens, long outputAudioTokens,
                         long outputReasoningTokens, Map<String, BigDecimal> otherUnits) {

    /** Usage with no tokens at all. */
    public static final TokenUsage NONE = new TokenUsage(0, 0, 0, 0, 0, 0, 0, 0, Map.of());

    /** Validates every count; copies {@code otherUnits} (null means none). */
    public TokenUsage {
        requireNonNegative("inputTokens", inputTokens);
        requireNonNegative("cacheReadTokens", cacheReadTokens);
        requireNonNegative("cacheWriteTokens", cacheWriteTokens);
        requireNonNegative("outputTokens", outputTokens);
        requireNonNegative("inputAudioTokens", inputAudioTokens);
        requireNonNegative("cacheAudioReadTokens", cacheAudioReadTokens);
        requireNonNegative("outputAudioTokens", outputAudioTokens);
        requireNonNegative("outputReasoningTokens", outputReasoningTokens);
        if (otherUnits == null || otherUnits.isEmpty()) {
            otherUnits = Map.of();
        } else {
            for (Map.Entry<String, BigDecimal> e : otherUnits.entrySet()) {
                if (e.getKey() == null || e.getValue() == null) {
                    throw new IllegalArgumentException("otherUnits must not hold null keys or values, was " + otherUnits);
                }
                if (e.getValue().signum() < 0) {
                    throw new IllegalArgumentException("otherUnits[" + e.getKey() + "] must be >= 0, was "
                            + e.getValue().toPlainString());
                }
            }
            otherUnits = Map.copyOf(otherUnits);
        }
    }

    /** Whole counts by usage key as {@code otherUnits} (a convenience for counts held as longs). */
    public static Map<String, BigDecimal> units(Map<String, Long> counts) {
        Map<String, BigDecimal> out = new HashMap<>();
        counts.forEach((k, v) -> out.put(k, v == null ? null : BigDecimal.valueOf(v)));
        return out;
    }

    /** Plain input and output tokens, nothing cached. */
    public static TokenUsage of(long inputTokens, long outputTokens) {
        return new TokenUsage(inputTokens, 0, 0, outputTokens, 0, 0, 0, 0, Map.of());
    }

    /** A builder starting from zero counts. */
    public static Builder builder() {
        return new Builder();
    }

    private static void requireNonNegative(String field, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(field + " must be >= 0, was " + value);
        }
    }

    /** Builds a {@link TokenUsage}; counts are checked in {@link #build()}. Not thread-safe. */
    public static final class Builder {
        private long inputTokens;
        private long cacheReadTokens;
        private long cacheWriteTokens;
        private long outputTokens;
        private long inputAudioTokens;
        private long cacheAudioReadTokens;
        private long outputAudioTokens;
        private long outputReasoningTokens;
        private final Map<String, BigDecimal> otherUnits = new TreeMap<>();

        private Builder() {
        }

        /** All input tokens, including cached and audio input. */
        public Builder inputTokens(long v) {
            inputTokens = v;
            return this;
        }

        /** Input tokens read from cache (included in input tokens). */
        public Builder cacheReadTokens(long v) {
            cacheReadTokens = v;
            return this;
        }

        /** Input tokens written to cache (included in input tokens). */
        public Builder cacheWriteTokens(long v) {
            cacheWriteTokens = v;
            return this;
        }

        /** All output tokens, including audio and reasoning output. */
        public Builder outputTokens(long v) {
            outputTokens = v;
            return this;
        }

        /** Input audio tokens (included in input tokens). */
        public Builder inputAudioTokens(long v) {
            inputAudioTokens = v;
            return this;
        }

        /** Cached input audio tokens (included in cache reads and input audio). */
        public Builder cacheAudioReadTokens(long v) {
            cacheAudioReadTokens = v;
            return this;
        }

        /** Output audio tokens (included in output tokens). */
        public Builder outputAudioTokens(long v) {
            outputAudioTokens = v;
            return this;
        }

        /** Reasoning tokens (included in output tokens). */
        public Builder outputReasoningTokens(long v) {
            outputReasoningTokens = v;
            return this;
        }

        /** Any other dataset usage key, e.g. {@code cache_write_1h_tokens} or {@code web_searches}. */
        public Builder unit(String usageKey, long v) {
            otherUnits.put(usageKey, BigDecimal.valueOf(v));
            return this;
        }

        /** Any other dataset usage key with a fractional count, e.g. {@code audio_seconds} 12.6; exact. */
        public Builder unit(String usageKey, BigDecimal v) {
            otherUnits.put(usageKey, v);
            return this;
        }

        /** @throws IllegalArgumentException naming the first negative count */
        public TokenUsage build() {
            return new TokenUsage(inputTokens, cacheReadTokens, cacheWriteTokens, outputTokens, inputAudioTokens,
                    cacheAudioReadTokens, outputAudioTokens, outputReasoningTokens, otherUnits);
        }
    }
}
