package io.llmstore.core.embedding;

/**
 * How {@link Embeddings#search} ranks chunks: pgvector's cosine distance ({@code <=>}), Euclidean distance
 * ({@code <->}) or negative inner product ({@code <#>}). The index serves one metric ({@code EMBEDDING_DISTANCE});
 * a search by another is an exact scan.
 */
public enum DistanceMetric {
    /** {@code distance} = 1 - cos; {@code similarity} = cos, in [-1, 1]. */
    COSINE("<=>", "vector_cosine_ops"),
    /** {@code distance} = Euclidean distance; {@code similarity} = 1 / (1 + distance), in (0, 1]. */
    L2("<->", "vector_l2_ops"),
    /** {@code distance} = -(a·b); {@code similarity} = a·b (for normalized vectors, the cosine). */
    INNER_PRODUCT("<#>", "vector_ip_ops");

    private final String operator;
    private final String operatorClass;

    DistanceMetric(String operator, String operatorClass) {
        this.operator = operator;
        this.operatorClass = operatorClass;
    }

    /** The pgvector operator. */
    public String operator() {
        return operator;
    }

    /** The pgvector operator class an index for this metric uses. */
    public String operatorClass() {
        return operatorClass;
    }

    /** The similarity a {@code distance} of this metric stands for (higher is closer). */
    public double similarity(double distance) {
        return switch (this) {
            case COSINE -> 1 - distance;
            case L2 -> 1 / (1 + distance);
            case INNER_PRODUCT -> -distance;
        };
    }
}
