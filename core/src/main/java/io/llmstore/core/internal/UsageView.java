package io.llmstore.core.internal;

import io.llmstore.core.usage.BufferedUsageWriter;
import io.llmstore.core.usage.MigrationResult;
import io.llmstore.core.usage.Usage;
import io.llmstore.core.usage.UsageMetric;
import io.llmstore.core.usage.UsageSchema;
import io.llmstore.core.usage.UsageWriter;
import java.util.List;
import java.util.Objects;

/** {@link Usage#of}: delegates, holds nothing of its own. */
public final class UsageView implements Usage {
    private final UsageWriter writer;
    private final BufferedUsageWriter buffered;
    private final UsageSchema schema;

    public UsageView(UsageWriter writer, BufferedUsageWriter buffered, UsageSchema schema) {
        this.writer = Objects.requireNonNull(writer, "writer");
        this.buffered = Objects.requireNonNull(buffered, "buffered");
        this.schema = Objects.requireNonNull(schema, "schema");
    }

    @Override
    public void record(UsageMetric metric) {
        writer.record(metric);
    }

    @Override
    public void recordAll(List<UsageMetric> metrics) {
        writer.recordAll(metrics);
    }

    @Override
    public BufferedUsageWriter buffered() {
        return buffered;
    }

    @Override
    public MigrationResult migrate() {
        return schema.migrate();
    }

    @Override
    public String toString() {
        return writer.toString();
    }
}
