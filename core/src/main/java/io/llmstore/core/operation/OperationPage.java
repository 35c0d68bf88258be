package io.llmstore.core.operation;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One page of a fetch, in (timestamp, operation id) order.
 *
 * @param operations the page's operations, at most the asked limit
 * @param next       the cursor of the next page; empty when this page is the last
 */
public record OperationPage(List<Operation> operations, Optional<OperationCursor> next) {
    public OperationPage {
        operations = List.copyOf(operations);
        Objects.requireNonNull(next, "next");
    }
}
