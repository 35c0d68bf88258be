package io.llmstore.core.trace;

import io.llmstore.core.price.TokenUsage;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Totals over a set of spans (a trace, a conversation), never counting a call twice.
 *
 * <p><b>The billing rule.</b> A span is <em>billed</em> when it carries usage or a cost ({@link LlmSpan#isBilled()}).
 * Instrumentations differ: some put the usage on the LLM call only, some also roll it up into the agent or workflow
 * span above it. So a billed span <em>counts</em> only when none of its descendants in the same trace is billed: the
 * lowest billed spans of each branch are the calls, and a parent that repeats its children's usage adds nothing. A
 * parent billed while its children are not (an instrumentation that records usage only at the top) counts once. The
 * token counts and the cost are sums over the counted spans ({@code calls}); a counted span without a cost adds to
 * the tokens but not to the cost ({@code unpricedCalls} says how many).
 *
 * @param spans          spans in the set
 * @param calls          counted spans (the billing rule)
 * @param unpricedCalls  counted spans without a cost
 * @param errorSpans     spans with status ERROR
 * @param inputTokens    input tokens of the counted spans (cache reads and writes included, as the conventions count)
 * @param outputTokens   output tokens (reasoning included)
 * @param cacheReadTokens  cache-read input tokens
 * @param cacheWriteTokens cache-creation input tokens
 * @param reasoningTokens  reasoning output tokens
 * @param costUsd        the cost of the counted spans, exact; 0 when none has a cost
 * @param start          the earliest start, null for no spans
 * @param end            the latest end, null for no spans
 */
public record SpanTotals(int spans, int calls, int unpricedCalls, int errorSpans, long inputTokens, long outputTokens,
                         long cacheReadTokens, long cacheWriteTokens, long reasoningTokens, BigDecimal costUsd,
                         Instant start, Instant end) {
    /** Totals of no span. */
    public static final SpanTotals NONE = new SpanTotals(0, 0, 0, 0, 0, 0, 0, 0, 0, BigDecimal.ZERO, null, null);

    public SpanTotals {
        Objects.requireNonNull(costUsd, "costUsd");
    }

    /** Wall-clock time from the earliest start to the latest end; zero for no spans. */
    public Duration latency() {
        return start == null ? Duration.ZERO : Duration.between(start, end);
    }

    /** The totals of {@code spans} under the billing rule (descendants are looked for within each span's trace). */
    public static SpanTotals of(Collection<LlmSpan> spans) {
        if (spans.isEmpty()) {
            return NONE;
        }
        Map<String, Map<String, List<LlmSpan>>> childrenByTrace = new HashMap<>();
        for (LlmSpan s : spans) {
            if (s.parentSpanId() != null) {
                childrenByTrace.computeIfAbsent(s.traceId(), k -> new HashMap<>())
                        .computeIfAbsent(s.parentSpanId(), k -> new ArrayList<>()).add(s);
            }
        }
        int calls = 0;
        int unpriced = 0;
        int errors = 0;
        long in = 0;
        long out = 0;
        long cacheRead = 0;
        long cacheWrite = 0;
        long reasoning = 0;
        BigDecimal cost = BigDecimal.ZERO;
        Instant start = null;
        Instant end = null;
        for (LlmSpan s : spans) {
            if (s.isError()) {
                errors++;
            }
            start = start == null || s.startTime().isBefore(start) ? s.startTime() : start;
            end = end == null || s.endTime().isAfter(end) ? s.endTime() : end;
            if (!s.isBilled() || hasBilledDescendant(s, childrenByTrace.getOrDefault(s.traceId(), Map.of()))) {
                continue;
            }
            calls++;
            TokenUsage u = s.usage();
            if (u != null) {
                in = Math.addExact(in, u.inputTokens());
                out = Math.addExact(out, u.outputTokens());
                cacheRead = Math.addExact(cacheRead, u.cacheReadTokens());
                cacheWrite = Math.addExact(cacheWrite, u.cacheWriteTokens());
                reasoning = Math.addExact(reasoning, u.outputReasoningTokens());
            }
            if (s.costUsd() == null) {
                unpriced++;
            } else {
                cost = cost.add(s.costUsd());
            }
        }
        return new SpanTotals(spans.size(), calls, unpriced, errors, in, out, cacheRead, cacheWrite, reasoning, cost,
                start, end);
    }

    private static boolean hasBilledDescendant(LlmSpan span, Map<String, List<LlmSpan>> children) {
        Set<String> seen = new HashSet<>(); // a parent cycle in hostile data ends here instead of looping
        List<LlmSpan> todo = new ArrayList<>(children.getOrDefault(span.spanId(), List.of()));
        seen.add(span.spanId());
        while (!todo.isEmpty()) {
            LlmSpan c = todo.remove(todo.size() - 1);
            if (c.isBilled()) {
                return true;
            }
            if (seen.add(c.spanId())) {
                todo.addAll(children.getOrDefault(c.spanId(), List.of()));
            }
        }
        return false;
    }
}
