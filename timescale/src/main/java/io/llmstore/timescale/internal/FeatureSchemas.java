package io.llmstore.timescale.internal;

import io.llmstore.timescale.gateway.GatewayFeatureSchema;
import io.llmstore.timescale.operation.OperationFeatureSchema;
import io.llmstore.timescale.trace.TraceFeatureSchema;
import io.llmstore.timescale.conversation.ConversationFeatureSchema;
import io.llmstore.timescale.embedding.EmbeddingFeatureSchema;
import io.llmstore.timescale.embedding.EmbeddingSettings;
import io.llmstore.timescale.usage.UsageFeatureSchema;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The registry of the adapter's feature schemas, in migration order: a fixed list, not a {@link java.util.ServiceLoader}.
 * Every feature schema ships inside this jar, so discovery would find nothing a list does not; a fixed list keeps the
 * order in one line a reviewer reads, and no other jar on the class path can add DDL to the application's schema.
 * A new feature adds its {@link FeatureSchema} here, with the next free order.
 */
public final class FeatureSchemas {
    /** Usage migrates first: it is the feature every release has shipped. */
    public static final int USAGE_ORDER = 100;
    /** The operation store (sessions, operations, messages) after usage. */
    public static final int OPERATION_ORDER = 200;
    /** Traces and spans. */
    public static final int TRACE_ORDER = 300;
    /** Conversations: history, sessions, profiles. */
    public static final int CONVERSATION_ORDER = 500;
    /** Document embeddings (pgvector, optional). */
    public static final int EMBEDDING_ORDER = 600;
    /** The gateway (keys, models, prices, records, summaries); it reads no other feature's tables. */
    public static final int GATEWAY_ORDER = 400;

    private FeatureSchemas() {
    }

    /**
     * Every feature schema, usage first.
     *
     * @param retention     usage: drop raw chunks older than this (TimescaleDB only); empty = keep
     * @param compressAfter usage: compress raw chunks older than this (TimescaleDB only); empty = never
     * @param rollupRefresh usage: how often the rollups' refresh policies run (TimescaleDB only), positive
     */
    public static List<FeatureSchema> standard(Optional<Duration> retention, Optional<Duration> compressAfter,
                                               Duration rollupRefresh) {
        return standard(retention, compressAfter, rollupRefresh, EmbeddingSettings.defaults());
    }

    /** Every feature schema, usage first; {@code embeddings}: the {@code EMBEDDING_*} settings. */
    public static List<FeatureSchema> standard(Optional<Duration> retention, Optional<Duration> compressAfter,
                                               Duration rollupRefresh, EmbeddingSettings embeddings) {
        return List.of(new UsageFeatureSchema(retention, compressAfter, rollupRefresh), new OperationFeatureSchema(),
                new TraceFeatureSchema(), new GatewayFeatureSchema(), new ConversationFeatureSchema(),
                new EmbeddingFeatureSchema(embeddings));
    }
}
