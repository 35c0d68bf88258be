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
    private static final BigDecimal TEN_SECONDS = BigDecimal.TEN;

    private final PricedBy pricedBy;
    private final String name;
    private final PriceSchedule schedule;   // the catalog's, or null for a model only overrides price
    private final Layer[] layers;           // overrides for this model, newest first
    private final boolean groqWhisper;

    /** One override over the catalog: its prices and the half-open window [from, until) it is in force. */
    record Layer(PricedBy pricedBy, Instant from, Instant until, PriceTable table) {
        boolean holdsAt(Instant at) {
            return (from == null || !at.isBefore(from)) && (until == null || at.isBefore(until));
        }
    }

    ModelPricing(PricedBy pricedBy, String name, PriceSchedule schedule, Layer[] layers) {
        this.pricedBy = pricedBy;
        this.name = name;
        this.schedule = schedule;
        this.layers = layers;
        // The reference bills Groq's Whisper models for at least 10 seconds of audio per call.
        this.groqWhisper = schedule != null && pricedBy.providerId().equals("groq")
                && (pricedBy.modelId().equals("whisper-large-v3") || pricedBy.modelId().equals("whisper-large-v3-turbo"));
    }

    /**
     * What prices this model when no dated override is in force: the catalog version, provider
     * and model id (or, for a model only overrides price, the newest override). The layer that
     * priced one call is in {@link Cost#pricedBy()}.
     */
    public PricedBy pricedBy() {
        return pricedBy;
    }

    /** The dataset's display name of the model, or its id. */
    public String name() {
        return name == null ? pricedBy.modelId() : name;
    }

    /**
     * The cost of a call made at {@code at}, at the prices in force then: the newest override
     * whose window contains {@code at}, else the catalog's schedule. Amounts carry no trailing
     * zeros ({@code 0.0075}, not {@code 0.0075000}), so {@code equals} works against a decimal
     * written in its shortest form; {@code compareTo} works always.
     *
     * @param usage what the call used; not null
     * @param at when the call was made; not null
     * @throws IllegalArgumentException if a more specific count exceeds the count that includes it
     *         (for example 100 cache read tokens of 50 input tokens) for units this model prices, or
     *         if only overrides price this model and none is in force at {@code at}
     */
    public Cost cost(TokenUsage usage, Instant at) {
        Cost c = costOrNull(usage, at);
        if (c == null) {
            throw new IllegalArgumentException("no price in force for " + pricedBy.providerId() + "/" + pricedBy.modelId()
                    + " at " + at + ": only dated overrides price it and none covers that time");
        }
        return c;
    }

    /** As {@link #cost} but null when nothing prices the model at {@code at}. */
    Cost costOrNull(TokenUsage usage, Instant at) {
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(at, "at");
        PriceTable table = null;
        PricedBy by = pricedBy;
        for (Layer l : layers) {
            if (l.holdsAt(at)) {
                table = l.table();
                by = l.pricedBy();
                break;
            }
        }
        if (table == null) {
            if (schedule == null) {
                return null;
            }
            table = schedule.at(at);
        }
        BigDecimal[] out = new BigDecimal[PriceTable.SLOTS];
        table.cost(groqWhisper ? whisperMinimum(usage) : usage, out);
        // PriceTable hands out every amount in shortest form (0.0075, not 0.0075000; 10, not 1E+1).
        return new Cost(out[0], out[1], out[2], out[3], out[4], out[5], out[6], out[BUCKETS], out[BUCKETS + 1],
                out[BUCKETS + 2], by);
    }

    private static TokenUsage whisperMinimum(TokenUsage u) {
        BigDecimal audio = u.otherUnits().get("audio_seconds");
        BigDecimal inputAudio = u.otherUnits().get("input_audio_seconds");
        BigDecimal d = audio != null && audio.signum() == 0 ? inputAudio : audio != null ? audio : inputAudio;
        if (d == null) {
            return u;
        }
        BigDecimal billed = d.signum() > 0 ? d.max(TEN_SECONDS) : BigDecimal.ZERO;
        java.util.Map<String, BigDecimal> other = new java.util.HashMap<>(u.otherUnits());
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
