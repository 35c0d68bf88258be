package io.llmstore.core.embedding;

import io.llmstore.core.spi.BackendDescriptor;
import io.llmstore.core.spi.Feature;
import java.util.List;

/**
 * Document embeddings for retrieval, {@code pool.embeddings()}: the caller's chunks with their vectors in
 * PostgreSQL with pgvector ({@code document_embeddings}, {@code vector(EMBEDDING_DIMENSIONS)}), an HNSW index by
 * default ({@code EMBEDDING_INDEX}), and top-k search with a metadata filter.
 *
 * <p>On a database without pgvector every method throws {@link io.llmstore.core.error.NotConfiguredException} naming
 * the extension; the other features work. Thread-safe; the pool owns it. Writes are not retried (a load retried
 * after a lost answer could fail on its own rows); searches retry with {@code DB_RETRY_*}.
 */
public interface Embeddings {
    /** The feature's descriptor: needs PostgreSQL (with pgvector in the database). */
    Feature<Embeddings> FEATURE = Feature.of("document embeddings", Embeddings.class, BackendDescriptor.POSTGRES);

    /** The configured dimension ({@code EMBEDDING_DIMENSIONS}). */
    int dimensions();

    /**
     * Stores new chunks in one COPY (one transaction): all or none. A chunk whose {@code (documentId, chunkIndex)}
     * is stored already fails the load; use {@link #replace} to change a document.
     *
     * @return the chunks stored
     * @throws IllegalArgumentException naming the chunk for a vector of the wrong dimension
     */
    long load(List<Chunk> chunks);

    /**
     * Replaces every chunk of {@code documentId} with {@code chunks} (all of that document), in one transaction.
     *
     * @return the chunks stored
     */
    long replace(String documentId, List<Chunk> chunks);

    /** Deletes every chunk of {@code documentId}; returns how many. */
    long delete(String documentId);

    /** The {@code k} chunks nearest to the query, nearest first (the order of equal distances is unspecified). */
    List<Match> search(EmbeddingQuery query);

    /** How many chunks are stored. */
    long count();
}
