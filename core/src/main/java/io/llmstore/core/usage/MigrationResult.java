package io.llmstore.core.usage;

import java.util.List;

/**
 * What a schema migration did.
 *
 * @param applied   versions applied by this call, ascending; empty when the schema was already current
 * @param current   the schema version after the call
 * @param flavor    {@code "timescaledb"} or {@code "postgresql"}: which variant of the schema is installed
 */
public record MigrationResult(List<Integer> applied, int current, String flavor) {
    public MigrationResult {
        applied = List.copyOf(applied);
    }
}
