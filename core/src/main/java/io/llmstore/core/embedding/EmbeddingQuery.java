package io.llmstore.core.embedding;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A nearest-neighbour search: the query vector, how many chunks ({@code k}), the metric, and a metadata filter (the
 * chunk's metadata must contain every given key with the given value: jsonb {@code @>}).
 *
 * @param vector  finite values; its length must be the store's dimension
 * @param k       1..1000
 * @param metric  never null
 * @param where   containment filter; empty = every chunk
 */
public record EmbeddingQuery(float[] vector, int k, DistanceMetric metric, Map<String, Object> where) {
    /** Largest {@code k}: beyond it, page by document instead. */
    public static final int MAX_K = 1000;

    public EmbeddingQuery {
        vector = Chunk.requireFinite("vector", vector).clone();
        if (k < 1 || k > MAX_K) {
            throw new IllegalArgumentException("k must be in 1.." + MAX_K + ", was " + k);
        }
        Objects.requireNonNull(metric, "metric must not be null");
        where = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(where, "where must not be null")));
    }

    /** The {@code k} nearest by cosine, no filter. */
    public static EmbeddingQuery nearest(float[] vector, int k) {
        return new EmbeddingQuery(vector, k, DistanceMetric.COSINE, Map.of());
    }

    /** This query by {@code metric}. */
    public EmbeddingQuery by(DistanceMetric metric) {
        return new EmbeddingQuery(vector, k, metric, where);
    }

    /** This query restricted to chunks whose metadata contains {@code filter}. */
    public EmbeddingQuery where(Map<String, Object> filter) {
        return new EmbeddingQuery(vector, k, metric, filter);
    }

    /** The vector (a copy). */
    @Override
    public float[] vector() {
        return vector.clone();
    }
}
