package io.llmstore.core.embedding;

import java.util.Map;

/**
 * A chunk found by {@link Embeddings#search}: its identity, text, metadata, and how close it is ({@code distance} as
 * pgvector computes it for the query's metric, {@code similarity} from it, see {@link DistanceMetric}).
 */
public record Match(String documentId, int chunkIndex, String text, Map<String, Object> metadata, double distance,
                    double similarity) {
}
