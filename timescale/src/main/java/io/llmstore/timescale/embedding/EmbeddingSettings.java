package io.llmstore.timescale.embedding;

import io.llmstore.core.embedding.DistanceMetric;

/**
 * The embedding store's settings, resolved from {@code EMBEDDING_*} (see {@code TimescaleSettings}).
 *
 * @param dimensions   the vector length, 1..16000 (an index needs <= 2000)
 * @param index        the approximate index, or none (exact scans)
 * @param distance     the metric the index serves
 * @param efSearch     HNSW candidate list per search ({@code hnsw.ef_search}), 1..1000
 * @param ivfflatLists IVFFlat lists at index build, >= 1
 * @param ivfflatProbes IVFFlat lists probed per search ({@code ivfflat.probes}), >= 1
 */
public record EmbeddingSettings(int dimensions, Index index, DistanceMetric distance, int efSearch, int ivfflatLists,
                                int ivfflatProbes) {
    /** The vector index kind. */
    public enum Index {
        HNSW, IVFFLAT, NONE
    }

    /** pgvector indexes {@code vector} columns of at most this many dimensions. */
    public static final int MAX_INDEXED_DIMENSIONS = 2000;

    /** Defaults: 1536 dimensions, HNSW for cosine, ef_search 100 (recall@10 measured in EmbeddingRecallTest). */
    public static EmbeddingSettings defaults() {
        return new EmbeddingSettings(1536, Index.HNSW, DistanceMetric.COSINE, 100, 100, 10);
    }
}
