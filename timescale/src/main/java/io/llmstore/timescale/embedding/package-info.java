/**
 * The embedding feature on PostgreSQL with pgvector: {@link io.llmstore.timescale.embedding.PostgresEmbeddings},
 * its settings and its schema, {@link io.llmstore.timescale.embedding.EmbeddingFeatureSchema}.
 */
package io.llmstore.timescale.embedding;
