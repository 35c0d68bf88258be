package io.llmstore.core.trace;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * A trace with its spans as a tree, in start order: the roots are the spans without a parent and the orphans (spans
 * whose parent is not stored, marked {@link SpanNode#orphan()}); each node's children follow by start time, then span
 * id. Every stored span of the trace appears exactly once.
 *
 * @param traceId the application's id
 * @param id      the stored UUID ({@link TraceIds#uuidOf})
 * @param roots   the roots, in start order; never null, unmodifiable
 * @param totals  the trace's totals ({@link SpanTotals} rules)
 */
public record TraceTree(String traceId, UUID id, List<SpanNode> roots, SpanTotals totals) {
    /** Orders spans by start time, then span id: the order of a tree's roots and of each node's children. */
    public static final Comparator<LlmSpan> START_ORDER = Comparator.comparing(LlmSpan::startTime)
            .thenComparing(LlmSpan::spanId);

    public TraceTree {
        Objects.requireNonNull(traceId, "traceId");
        Objects.requireNonNull(id, "id");
        roots = List.copyOf(roots);
        Objects.requireNonNull(totals, "totals");
    }

    /**
     * The tree of {@code spans}, all of one trace. A span id stored twice (two start times) keeps the first by start
     * order as the parent of its children; both appear.
     */
    public static TraceTree of(String traceId, List<LlmSpan> spans) {
        List<LlmSpan> sorted = new ArrayList<>(spans);
        sorted.sort(START_ORDER);
        Map<String, LlmSpan> byId = new HashMap<>();
        for (LlmSpan s : sorted) {
            byId.putIfAbsent(s.spanId(), s);
        }
        Map<LlmSpan, List<LlmSpan>> children = new IdentityHashMap<>(); // by instance: a span is its own key
        List<LlmSpan> roots = new ArrayList<>();
        for (LlmSpan s : sorted) {
            LlmSpan parent = s.parentSpanId() == null ? null : byId.get(s.parentSpanId());
            if (parent == null) {
                roots.add(s);
            } else {
                children.computeIfAbsent(parent, k -> new ArrayList<>()).add(s);
            }
        }
        List<SpanNode> nodes = new ArrayList<>(roots.size());
        Set<LlmSpan> placed = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (LlmSpan r : roots) {
            nodes.add(node(r, r.parentSpanId() != null, children, placed));
        }
        // Spans whose parent chain loops (hostile data: a is b's parent and b is a's) are reached from no root;
        // the first of each loop becomes an orphan root, so every span still appears once.
        for (LlmSpan s : sorted) {
            if (!placed.contains(s)) {
                nodes.add(node(s, true, children, placed));
            }
        }
        nodes.sort(java.util.Comparator.comparing(SpanNode::span, START_ORDER));
        return new TraceTree(traceId, TraceIds.uuidOf(traceId), nodes, SpanTotals.of(spans));
    }

    private static SpanNode node(LlmSpan span, boolean orphan, Map<LlmSpan, List<LlmSpan>> children, Set<LlmSpan> placed) {
        placed.add(span);
        List<SpanNode> kids = new ArrayList<>();
        for (LlmSpan c : children.getOrDefault(span, List.of())) {
            if (!placed.contains(c)) {
                kids.add(node(c, false, children, placed));
            }
        }
        return new SpanNode(span, orphan, kids);
    }

    /** Every span of the tree, depth first in start order (a parent before its children). */
    public List<LlmSpan> spans() {
        List<LlmSpan> out = new ArrayList<>();
        for (SpanNode n : roots) {
            collect(n, out);
        }
        return out;
    }

    /** The spans marked orphan. */
    public List<LlmSpan> orphans() {
        return roots.stream().filter(SpanNode::orphan).map(SpanNode::span).toList();
    }

    private static void collect(SpanNode n, List<LlmSpan> out) {
        out.add(n.span());
        for (SpanNode c : n.children()) {
            collect(c, out);
        }
    }
}
