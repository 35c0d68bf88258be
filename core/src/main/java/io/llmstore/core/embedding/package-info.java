/**
 * Document embeddings on pgvector. Entry point: {@link io.llmstore.core.embedding.Embeddings}
 * ({@code pool.embeddings()}): {@link io.llmstore.core.embedding.Chunk}s in,
 * {@link io.llmstore.core.embedding.EmbeddingQuery} to {@link io.llmstore.core.embedding.Match}es out.
 */
package io.llmstore.core.embedding;
