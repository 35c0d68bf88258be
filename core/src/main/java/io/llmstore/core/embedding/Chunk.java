package io.llmstore.core.embedding;

import io.llmstore.core.internal.StorableText;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One chunk of a document with its embedding: the caller's text and vector (llmstore computes no embeddings).
 *
 * @param documentId the document, non-blank, at most 256 characters
 * @param chunkIndex its place in the document, {@code >= 0}; unique per document
 * @param text       the chunk's text, any Unicode (no U+0000), may be empty
 * @param embedding  finite values only (no NaN, no infinity); its length must be the store's dimension
 * @param metadata   JSON-compatible values, filterable in {@link EmbeddingQuery#where}; never null
 */
public record Chunk(String documentId, int chunkIndex, String text, float[] embedding, Map<String, Object> metadata) {
    public Chunk {
        StorableText.requireId("documentId", documentId, 256);
        if (chunkIndex < 0) {
            throw new IllegalArgumentException("chunkIndex must be >= 0, was " + chunkIndex);
        }
        StorableText.require("text", text, true);
        embedding = requireFinite("embedding", embedding).clone();
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(
                Objects.requireNonNull(metadata, "metadata must not be null (use Map.of())")));
    }

    /** A chunk without metadata. */
    public static Chunk of(String documentId, int chunkIndex, String text, float[] embedding) {
        return new Chunk(documentId, chunkIndex, text, embedding, Map.of());
    }

    /** {@code vector} when every value is finite, else throws naming {@code field}, the index and the value. */
    static float[] requireFinite(String field, float[] vector) {
        if (vector == null) {
            throw new IllegalArgumentException(field + " must not be null");
        }
        if (vector.length == 0) {
            throw new IllegalArgumentException(field + " must not be empty");
        }
        for (int i = 0; i < vector.length; i++) {
            if (!Float.isFinite(vector[i])) {
                throw new IllegalArgumentException(field + "[" + i + "] must be a finite number, was " + vector[i]);
            }
        }
        return vector;
    }

    /** The embedding (a copy). */
    @Override
    public float[] embedding() {
        return embedding.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Chunk c && documentId.equals(c.documentId) && chunkIndex == c.chunkIndex
                && text.equals(c.text) && Arrays.equals(embedding, c.embedding) && metadata.equals(c.metadata);
    }

    @Override
    public int hashCode() {
        return Objects.hash(documentId, chunkIndex, text, Arrays.hashCode(embedding), metadata);
    }

    @Override
    public String toString() {
        return "Chunk{" + documentId + "#" + chunkIndex + ", " + embedding.length + " dimensions, " + text.length()
                + " chars, metadata=" + metadata + "}";
    }
}
