package io.llmstore.timescale.usage;

import io.llmstore.core.usage.UsageMetric;
import io.llmstore.timescale.internal.CopyTextBuffer;
import java.math.BigDecimal;

/**
 * Encodes usage rows in PostgreSQL's COPY text format with {@link CopyTextBuffer}'s field encoders, straight into a
 * reusable UTF-8 byte buffer. Column order is
 * {@link #COLUMNS}. Not thread-safe: one per batch.
 */
final class CopyTextEncoder extends CopyTextBuffer {
    /** The column list of the COPY statement, in encoding order. */
    public static final String COLUMNS = "time, model_id, provider, request_count, token_input, token_output, "
            + "token_total, cost_usd, avg_latency_ms, error_count, success_count, user_id, application_id, "
            + "environment, metadata, event_id, token_cache_read, token_cache_write, token_reasoning, price_source, "
            + "usage_source, time_to_first_token_ms, finish_reason, cost_saved_usd";

    public CopyTextEncoder(int initialCapacity) {
        super(initialCapacity);
    }

    /** Appends one row and its newline. */
    public void append(UsageMetric m) {
        timestamp(m.time());
        tab();
        text(m.modelId());
        tab();
        text(m.provider());
        tab();
        number(m.requestCount());
        tab();
        number(m.tokenInput());
        tab();
        number(m.tokenOutput());
        tab();
        number(m.tokenTotal());
        tab();
        BigDecimal cost = m.costUsd();
        if (cost == null) {
            nul();
        } else {
            ascii(cost.toPlainString());
        }
        tab();
        ascii(Double.toString(m.avgLatencyMs()));
        tab();
        number(m.errorCount());
        tab();
        number(m.successCount());
        tab();
        text(m.userId());
        tab();
        text(m.applicationId());
        tab();
        text(m.environment());
        tab();
        text(m.metadata());
        tab();
        uuid(m.eventId());
        tab();
        optionalNumber(m.tokenCacheRead());
        tab();
        optionalNumber(m.tokenCacheWrite());
        tab();
        optionalNumber(m.tokenReasoning());
        tab();
        text(m.priceSource());
        tab();
        text(m.usageSource() == null ? null : m.usageSource().value());
        tab();
        if (m.timeToFirstTokenMs() == null) {
            nul();
        } else {
            ascii(Double.toString(m.timeToFirstTokenMs()));
        }
        tab();
        text(m.finishReason());
        tab();
        if (m.costSavedUsd() == null) {
            nul();
        } else {
            ascii(m.costSavedUsd().toPlainString());
        }
        newline();
    }

}
