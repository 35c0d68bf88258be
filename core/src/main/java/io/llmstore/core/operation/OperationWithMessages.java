package io.llmstore.core.operation;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * An operation and its messages: what one {@link Operations#record} stores, in one transaction, all or nothing.
 * The messages' sequence numbers and ids are unique within it: a duplicate is refused here, naming it, before any
 * SQL runs (and the database's unique key on {@code (operation_id, sequence_number)} refuses it again).
 *
 * @param operation the operation
 * @param messages  its messages, any order (stored with their sequence numbers), copied; may be empty
 */
public record OperationWithMessages(Operation operation, List<OperationMessage> messages) {
    public OperationWithMessages {
        Objects.requireNonNull(operation, "operation");
        messages = List.copyOf(Objects.requireNonNull(messages, "messages"));
        Set<Integer> sequence = new HashSet<>();
        Set<UUID> ids = new HashSet<>();
        for (OperationMessage m : messages) {
            if (!sequence.add(m.sequenceNumber())) {
                throw new IllegalArgumentException("sequenceNumber " + m.sequenceNumber() + " appears twice in the "
                        + "messages of operation " + operation.operationId() + "; each must be unique");
            }
            if (!ids.add(m.messageId())) {
                throw new IllegalArgumentException("messageId " + m.messageId() + " appears twice in the messages of "
                        + "operation " + operation.operationId());
            }
        }
    }
}
