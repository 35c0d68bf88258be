package io.llmstore.timescale.embedding;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmstore.core.embedding.Chunk;
import io.llmstore.core.embedding.DistanceMetric;
import io.llmstore.core.embedding.EmbeddingQuery;
import io.llmstore.core.embedding.Embeddings;
import io.llmstore.core.embedding.Match;
import io.llmstore.core.error.ConfigException;
import io.llmstore.core.error.NotConfiguredException;
import io.llmstore.core.internal.StorableText;
import io.llmstore.core.retry.RetryPolicy;
import io.llmstore.timescale.internal.Jdbc;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * {@link Embeddings} on PostgreSQL with pgvector: {@code document_embeddings}, loaded by binary COPY (pgvector's
 * binary vector form; measured against text in docs/embeddings.md), searched with
 * {@code ORDER BY embedding <op> $1 LIMIT k}.
 *
 * <p>A search runs {@code SET LOCAL hnsw.ef_search} (or {@code ivfflat.probes}) and its {@code SELECT} as one
 * statement string: pgjdbc sends them in one round trip and the server runs them in one implicit transaction, so the
 * setting holds for that search only and never leaks to the pool's (or the application's) connection. With a metadata
 * filter it also sets {@code hnsw.iterative_scan = strict_order}, so a selective filter still returns {@code k}
 * chunks when that many match.
 *
 * <p>Whether the table exists is checked until it does (a database without pgvector has none: every call throws
 * {@link NotConfiguredException}); once found, never again.
 */
public final class PostgresEmbeddings implements Embeddings {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };
    private static final String COPY = "COPY document_embeddings (document_id, chunk_index, chunk_text, embedding,"
            + " metadata) FROM STDIN (FORMAT binary)";
    private static final byte[] BINARY_HEADER = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0};
    private static final int COPY_CHUNK_BYTES = 1 << 20;

    private final Jdbc jdbc;
    private final RetryPolicy retry;
    private final EmbeddingSettings settings;
    private final String schema;
    private volatile boolean ready;

    /** @param schema the schema the pool uses ({@code DB_SCHEMA}), for the not-configured message */
    public PostgresEmbeddings(Jdbc jdbc, RetryPolicy retry, EmbeddingSettings settings, String schema) {
        this.jdbc = Objects.requireNonNull(jdbc, "jdbc");
        this.retry = Objects.requireNonNull(retry, "retry");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.schema = Objects.requireNonNull(schema, "schema");
    }

    @Override
    public int dimensions() {
        return settings.dimensions();
    }

    @Override
    public long load(List<Chunk> chunks) {
        byte[][] encoded = encode(chunks, null);
        requireReady();
        return jdbc.transaction("loading " + chunks.size() + " embedding chunks", c -> copy(c, encoded, chunks.size()));
    }

    @Override
    public long replace(String documentId, List<Chunk> chunks) {
        StorableText.requireId("documentId", documentId, 256);
        byte[][] encoded = encode(chunks, documentId);
        requireReady();
        return jdbc.transaction("replacing the chunks of document " + documentId, c -> {
            deleteDocument(c, documentId);
            return chunks.isEmpty() ? 0 : copy(c, encoded, chunks.size());
        });
    }

    @Override
    public long delete(String documentId) {
        StorableText.requireId("documentId", documentId, 256);
        requireReady();
        return jdbc.autocommit("deleting the chunks of document " + documentId, c -> deleteDocument(c, documentId));
    }

    private static long deleteDocument(Connection c, String documentId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM document_embeddings WHERE document_id = ?")) {
            ps.setString(1, documentId);
            return ps.executeUpdate();
        }
    }

    @Override
    public long count() {
        requireReady();
        return retry.call("counting embedding chunks", () -> jdbc.autocommit("counting embedding chunks", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM document_embeddings");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }));
    }

    @Override
    public List<Match> search(EmbeddingQuery q) {
        Objects.requireNonNull(q, "query must not be null");
        float[] v = q.vector();
        requireDimensions("vector", v.length);
        requireReady();
        String sql = searchSql(q.metric(), !q.where().isEmpty());
        String vector = vectorText(v);
        String filter = q.where().isEmpty() ? null : json("where", q.where());
        return retry.call("searching embeddings", () -> jdbc.autocommit("searching embeddings", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = 1;
                ps.setString(i++, vector);
                if (filter != null) {
                    ps.setString(i++, filter);
                }
                ps.setInt(i, q.k());
                boolean isResult = ps.execute();
                while (!isResult) { // past the SET LOCAL update counts
                    isResult = ps.getMoreResults();
                }
                List<Match> out = new ArrayList<>(q.k());
                try (ResultSet rs = ps.getResultSet()) {
                    while (rs.next()) {
                        double distance = rs.getDouble(5);
                        out.add(new Match(rs.getString(1), rs.getInt(2), rs.getString(3), map(rs.getString(4)),
                                distance, q.metric().similarity(distance)));
                    }
                }
                // IVFFlat's iterative scan (the filtered case) returns its rows in relaxed order: put them in order.
                out.sort(java.util.Comparator.comparingDouble(Match::distance));
                return List.copyOf(out);
            }
        }));
    }

    /** The search statements; the settings are the store's own validated integers, never the caller's text. */
    private String searchSql(DistanceMetric metric, boolean filtered) {
        StringBuilder sql = new StringBuilder();
        if (settings.index() == EmbeddingSettings.Index.HNSW) {
            sql.append("SET LOCAL hnsw.ef_search = ").append(settings.efSearch()).append("; ");
            if (filtered) {
                sql.append("SET LOCAL hnsw.iterative_scan = strict_order; ");
            }
        } else if (settings.index() == EmbeddingSettings.Index.IVFFLAT) {
            sql.append("SET LOCAL ivfflat.probes = ").append(settings.ivfflatProbes()).append("; ");
            if (filtered) {
                sql.append("SET LOCAL ivfflat.iterative_scan = relaxed_order; ");
            }
        }
        // Ordered by the distance alone: a tie-breaker column would stop the index from serving the ORDER BY.
        sql.append("SELECT document_id, chunk_index, chunk_text, metadata::text, embedding ").append(metric.operator())
                .append(" ?::vector AS distance FROM document_embeddings");
        if (filtered) {
            sql.append(" WHERE metadata @> ?::jsonb");
        }
        sql.append(" ORDER BY distance LIMIT ?");
        return sql.toString();
    }

    private long copy(Connection c, byte[][] encoded, int rows) throws SQLException {
        CopyIn in = c.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY);
        try {
            for (byte[] part : encoded) {
                in.writeToCopy(part, 0, part.length);
            }
            return in.endCopy();
        } finally {
            if (in.isActive()) {
                try {
                    in.cancelCopy();
                } catch (SQLException ignored) {
                    // the server ended the COPY with the error being thrown; keep that one
                }
            }
        }
    }

    /**
     * Checks every chunk (dimension, document) and encodes them in COPY's binary format, in parts of about 1 MB:
     * text and jsonb as UTF-8 (jsonb with its version byte), the vector as pgvector's binary form (int16 dimension,
     * int16 unused, float4 values), so neither side formats or parses a float as text.
     */
    private byte[][] encode(List<Chunk> chunks, String onlyDocument) {
        Objects.requireNonNull(chunks, "chunks must not be null");
        List<byte[]> parts = new ArrayList<>();
        ByteBuffer buf = ByteBuffer.allocate(COPY_CHUNK_BYTES);
        buf.put(BINARY_HEADER).putInt(0).putInt(0);
        for (int i = 0; i < chunks.size(); i++) {
            Chunk ch = Objects.requireNonNull(chunks.get(i), "chunks[" + i + "] must not be null");
            float[] e = ch.embedding();
            if (e.length != settings.dimensions()) {
                throw new IllegalArgumentException("chunks[" + i + "].embedding (document " + ch.documentId() + ", chunk "
                        + ch.chunkIndex() + ") must have " + settings.dimensions() + " dimensions (EMBEDDING_DIMENSIONS),"
                        + " had " + e.length);
            }
            if (onlyDocument != null && !onlyDocument.equals(ch.documentId())) {
                throw new IllegalArgumentException("chunks[" + i + "].documentId must be '" + onlyDocument
                        + "' (the document replaced), was '" + ch.documentId() + "'");
            }
            byte[] doc = ch.documentId().getBytes(StandardCharsets.UTF_8);
            byte[] text = ch.text().getBytes(StandardCharsets.UTF_8);
            byte[] meta = json("chunks[" + i + "].metadata", ch.metadata()).getBytes(StandardCharsets.UTF_8);
            int need = 2 + 4 + doc.length + 8 + 4 + text.length + 8 + 4 * e.length + 5 + meta.length + 2;
            if (buf.remaining() < need) {
                parts.add(Arrays.copyOf(buf.array(), buf.position()));
                buf = ByteBuffer.allocate(Math.max(COPY_CHUNK_BYTES, need));
            }
            buf.putShort((short) 5);
            buf.putInt(doc.length).put(doc);
            buf.putInt(4).putInt(ch.chunkIndex());
            buf.putInt(text.length).put(text);
            buf.putInt(4 + 4 * e.length).putShort((short) e.length).putShort((short) 0);
            for (float f : e) {
                buf.putFloat(f);
            }
            buf.putInt(1 + meta.length).put((byte) 1).put(meta);
        }
        if (buf.remaining() < 2) {
            parts.add(Arrays.copyOf(buf.array(), buf.position()));
            buf = ByteBuffer.allocate(2);
        }
        buf.putShort((short) -1); // the trailer
        parts.add(Arrays.copyOf(buf.array(), buf.position()));
        return parts.toArray(byte[][]::new);
    }

    /** pgvector's text form; {@link Float#toString} is the shortest text that reads back as the same float. */
    private static StringBuilder appendVector(StringBuilder sb, float[] v) {
        sb.append('[');
        for (int i = 0; i < v.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(v[i]);
        }
        return sb.append(']');
    }

    static String vectorText(float[] v) {
        return appendVector(new StringBuilder(v.length * 10), v).toString();
    }

    private void requireDimensions(String field, int length) {
        if (length != settings.dimensions()) {
            throw new IllegalArgumentException(field + " must have " + settings.dimensions()
                    + " dimensions (EMBEDDING_DIMENSIONS), had " + length);
        }
    }

    private void requireReady() {
        if (ready) {
            return;
        }
        Integer stored = retry.call("checking the embedding table", () -> jdbc.autocommit("checking the embedding"
                + " table", PostgresEmbeddings::storedDimensions));
        if (stored == null) {
            throw new NotConfiguredException("document embeddings need the pgvector extension (vector), and schema "
                    + schema + " has no document_embeddings table: the database had no pgvector this user could"
                    + " create when the schema was migrated. Install pgvector (https://github.com/pgvector/pgvector),"
                    + " CREATE EXTENSION vector (as a superuser), then migrate again (pool.usage().migrate() or"
                    + " DB_MIGRATE_ON_START=true); the other features work without it");
        }
        if (stored != settings.dimensions()) {
            throw new ConfigException("EMBEDDING_DIMENSIONS is " + settings.dimensions() + " but document_embeddings"
                    + ".embedding in schema " + schema + " is " + (stored == -1 ? "not yet sized (migrate first)"
                    : "vector(" + stored + ")"));
        }
        ready = true;
    }

    /**
     * The typmod of {@code document_embeddings.embedding} in the connection's current schema: its dimension, -1 when
     * not yet sized, null when there is no such table.
     */
    static Integer storedDimensions(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT a.atttypmod FROM pg_attribute a WHERE a.attrelid ="
                + " to_regclass(quote_ident(current_schema()) || '.document_embeddings') AND a.attname = 'embedding'"
                + " AND NOT a.attisdropped");
             ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getInt(1) : null;
        }
    }

    private static String json(String field, Map<String, Object> value) {
        String text;
        try {
            text = JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(field + " must hold JSON values only: " + e.getOriginalMessage(), e);
        }
        if (text.contains("\\u0000")) {
            throw new IllegalArgumentException(field + " must not contain U+0000 (jsonb cannot store it)");
        }
        return text;
    }

    private static Map<String, Object> map(String json) throws SQLException {
        try {
            return JSON.readValue(json, MAP);
        } catch (JsonProcessingException e) {
            throw new SQLException("metadata is not a JSON object", e);
        }
    }

    @Override
    public String toString() {
        return "PostgresEmbeddings" + settings;
    }
}
