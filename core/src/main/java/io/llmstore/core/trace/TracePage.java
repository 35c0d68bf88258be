package io.llmstore.core.trace;

import java.util.List;
import java.util.Optional;

/**
 * A page of traces, by start then UUID.
 *
 * @param traces the traces; never null, unmodifiable
 * @param next   the cursor of the next page, empty on the last page
 */
public record TracePage(List<TraceSummary> traces, Optional<TraceCursor> next) {
    public TracePage {
        traces = List.copyOf(traces);
        next = next == null ? Optional.empty() : next;
    }
}
