package io.llmstore.core.trace;

import java.util.List;
import java.util.Objects;

/**
 * A span in a {@link TraceTree}, with its children in start order.
 *
 * @param span     the span as stored
 * @param orphan   true when the span names a parent that is not stored (yet): it is then one of the tree's roots
 * @param children the spans naming this one as parent, by start time (then span id); never null, unmodifiable
 */
public record SpanNode(LlmSpan span, boolean orphan, List<SpanNode> children) {
    public SpanNode {
        Objects.requireNonNull(span, "span");
        children = List.copyOf(children);
    }
}
