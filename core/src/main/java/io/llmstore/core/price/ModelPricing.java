package io.llmstore.core.price;

import io.llmstore.core.price.internal.PriceSchedule;
import io.llmstore.core.price.internal.PriceTable;
import io.llmstore.core.price.internal.Unit;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;

/**
 * The prices of one resolved model, as found by {@link PriceCatalog#find}. Immutable and
 * thread-safe; keep it to price many calls of the same model without another lookup.
 */
public final class ModelPricing {

    private static final int BUCKETS = Unit.Bucket.values().length;

    private final PricedBy pricedBy;
    private final String name;
    private final PriceSchedule schedule;
    private final boolean groqWhisper;

    ModelPricing(PricedBy pricedBy, String name, PriceSchedule schedule) {
        this.pricedBy = pricedBy;
        this.name = name;
        this.schedule = schedule;
        // The reference bills Groq's Whisper models for at least 10 seconds of audio per call.
        this.groqWhisper = pricedBy.providerId().equals("groq")
                && (pricedBy.modelId().equals("whisper-large-v3") || pricedBy.modelId().equals("whisper-large-v3-turbo"));
    }

    /** What prices this model: catalog version or override, provider and model id. */
    public PricedBy pricedBy() {
        return pricedBy;
    }

    /** The dataset's display name of the model, or its id. */
    public String name() {
        return name == null ? pricedBy.modelId() : name;
    }

    /**
     * The cost of a call made at {@code at}, at the prices in force then.
     *
     * @param usage what the call used; not null
     * @param at when the call was made; not null
     * @throws IllegalArgumentException if a more specific count exceeds the count that includes it
     *         (for example 100 cache read tokens of 50 input tokens) for units this model prices
     */
    public Cost cost(TokenUsage usage, Instant at) {
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(at, "at");
        PriceTable table = schedule.at(at);
        BigDecimal[] out = new BigDecimal[PriceTable.SLOTS];
        table.cost(groqWhisper ? whisperMinimum(usage) : usage, out);
        return new Cost(out[0], out[1], out[2], out[3], out[4], out[5], out[6], out[BUCKETS], out[BUCKETS + 1],
                out[BUCKETS + 2], pricedBy);
    }

    private static TokenUsage whisperMinimum(TokenUsage u) {
        Long audio = u.otherUnits().get("audio_seconds");
        Long inputAudio = u.otherUnits().get("input_audio_seconds");
        Long d = audio != null && audio == 0 ? inputAudio : audio != null ? audio : inputAudio;
        if (d == null) {
            return u;
        }
        long billed = d > 0 ? Math.max(d, 10) : 0;
        java.util.Map<String, Long> other = new java.util.HashMap<>(u.otherUnits());
        other.put("audio_seconds", billed);
        other.put("input_audio_seconds", billed);
        return new TokenUsage(u.inputTokens(), u.cacheReadTokens(), u.cacheWriteTokens(), u.outputTokens(),
                u.inputAudioTokens(), u.cacheAudioReadTokens(), u.outputAudioTokens(), u.outputReasoningTokens(), other);
    }

    @Override
    public String toString() {
        return "ModelPricing[" + pricedBy + "]";
    }
}
