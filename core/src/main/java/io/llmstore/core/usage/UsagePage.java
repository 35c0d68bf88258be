package io.llmstore.core.usage;

import java.util.List;
import java.util.Optional;

/**
 * One page of raw usage rows, in {@code (time, event_id)} order.
 *
 * @param rows the rows, at most the requested limit
 * @param next where the next page starts; empty when this page is the last
 */
public record UsagePage(List<UsageMetric> rows, Optional<PageCursor> next) {
    public UsagePage {
        rows = List.copyOf(rows);
        next = next == null ? Optional.empty() : next;
    }
}
