package io.llmstore.timescale.operation;

import io.llmstore.timescale.internal.FeatureSchema;
import io.llmstore.timescale.internal.FeatureSchemas;
import java.util.List;

/**
 * The operation store's schema: {@code llm_sessions}, {@code llm_operations}, {@code llm_messages}, plain tables on
 * both flavours, scripts in {@code io/llmstore/timescale/operation/migrations/}. Wiring, not for application code:
 * registered in {@code FeatureSchemas}. Stateless, thread-safe.
 */
public final class OperationFeatureSchema implements FeatureSchema {
    /** Every script, in version order. */
    static final List<String> FILES = List.of("V1__operations.sql");

    @Override
    public String name() {
        return "operation";
    }

    @Override
    public int order() {
        return FeatureSchemas.OPERATION_ORDER;
    }

    @Override
    public String resourceFolder() {
        return "/io/llmstore/timescale/operation/migrations/";
    }

    @Override
    public List<String> scripts() {
        return FILES;
    }

    @Override
    public String toString() {
        return "OperationFeatureSchema";
    }
}
