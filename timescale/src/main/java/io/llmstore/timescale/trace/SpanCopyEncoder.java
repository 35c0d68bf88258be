package io.llmstore.timescale.trace;

import io.llmstore.core.price.TokenUsage;
import io.llmstore.core.trace.LlmSpan;
import io.llmstore.timescale.internal.CopyTextBuffer;

/**
 * Encodes spans in PostgreSQL's COPY text format, in the column order of {@link #COLUMNS}, with the shared
 * {@link CopyTextBuffer} field encoders (the same escaping as usage rows). Not thread-safe: one per batch.
 */
final class SpanCopyEncoder extends CopyTextBuffer {
    /** The column list of the COPY statement, in encoding order. */
    static final String COLUMNS = "start_time, end_time, trace_id, span_id, parent_span_id, name, operation, provider,"
            + " request_model, response_model, response_id, input, output, finish_reasons, token_input, token_output,"
            + " token_cache_read, token_cache_write, token_reasoning, cost_usd, price_source, status, status_message,"
            + " attributes, conversation_id, user_id";

    SpanCopyEncoder(int initialCapacity) {
        super(initialCapacity);
    }

    /** Appends one span and its newline. */
    void append(ResolvedSpan r) {
        LlmSpan s = r.span();
        timestamp(s.startTime());
        tab();
        timestamp(s.endTime());
        tab();
        uuid(r.trace().id);
        tab();
        text(s.spanId());
        tab();
        text(s.parentSpanId());
        tab();
        text(s.name());
        tab();
        text(s.operation());
        tab();
        text(s.provider());
        tab();
        text(s.requestModel());
        tab();
        text(s.responseModel());
        tab();
        text(s.responseId());
        tab();
        text(s.input());
        tab();
        text(s.output());
        tab();
        text(s.finishReasons().isEmpty() ? null : JsonText.array(s.finishReasons()));
        tab();
        TokenUsage u = s.usage();
        if (u == null) {
            nul();
            tab();
            nul();
            tab();
            nul();
            tab();
            nul();
            tab();
            nul();
        } else {
            number(u.inputTokens());
            tab();
            number(u.outputTokens());
            tab();
            number(u.cacheReadTokens());
            tab();
            number(u.cacheWriteTokens());
            tab();
            number(u.outputReasoningTokens());
        }
        tab();
        if (s.costUsd() == null) {
            nul();
        } else {
            ascii(s.costUsd().toPlainString());
        }
        tab();
        text(s.priceSource());
        tab();
        ascii(s.isError() ? "error" : "ok");
        tab();
        text(s.statusMessage());
        tab();
        text(s.extraAttributes().isEmpty() ? null : JsonText.object(s.extraAttributes()));
        tab();
        text(s.conversationId());
        tab();
        text(s.userId());
        newline();
    }

}
