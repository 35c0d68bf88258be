package io.llmstore.core.price.internal;

import io.llmstore.core.price.TokenUsage;

/**
 * Where a unit's count lives in a {@link TokenUsage}: one of its eight fields, or
 * {@code otherUnits}. Price tables resolve this once per unit when compiled, so pricing a call
 * reads a field by number instead of switching on the usage key string.
 */
final class UsageField {

    static final int OTHER = -1;

    private static final String[] KEYS = {"input_tokens", "cache_read_tokens", "cache_write_tokens", "output_tokens",
        "input_audio_tokens", "cache_audio_read_tokens", "output_audio_tokens", "output_reasoning_tokens"};
    private static final String[] NAMES = {"inputTokens", "cacheReadTokens", "cacheWriteTokens", "outputTokens",
        "inputAudioTokens", "cacheAudioReadTokens", "outputAudioTokens", "outputReasoningTokens"};

    private UsageField() {
    }

    /** The field number of a usage key, or {@link #OTHER} if it goes in {@code otherUnits}. */
    static int of(String usageKey) {
        for (int i = 0; i < KEYS.length; i++) {
            if (KEYS[i].equals(usageKey)) {
                return i;
            }
        }
        return OTHER;
    }

    /** The count of a unit; {@code field} must be {@code of(usageKey)}. */
    static long count(TokenUsage u, int field, String usageKey) {
        switch (field) {
            case 0: return u.inputTokens();
            case 1: return u.cacheReadTokens();
            case 2: return u.cacheWriteTokens();
            case 3: return u.outputTokens();
            case 4: return u.inputAudioTokens();
            case 5: return u.cacheAudioReadTokens();
            case 6: return u.outputAudioTokens();
            case 7: return u.outputReasoningTokens();
            default:
                // Only whole counts reach here (PriceTable reads fractional ones itself).
                java.math.BigDecimal v = u.otherUnits().get(usageKey);
                return v == null ? 0 : v.longValueExact();
        }
    }

    /** The caller-facing name of a unit's count, for error messages. */
    static String name(String usageKey) {
        int f = of(usageKey);
        return f == OTHER ? "otherUnits[" + usageKey + "]" : NAMES[f];
    }
}
