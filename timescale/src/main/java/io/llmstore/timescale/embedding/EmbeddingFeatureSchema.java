package io.llmstore.timescale.embedding;

import io.llmstore.core.error.ConfigException;
import io.llmstore.timescale.internal.FeatureSchema;
import io.llmstore.timescale.internal.FeatureSchemas;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The embedding feature's schema: {@code document_embeddings}, only where pgvector is (its one script is a
 * {@code .vector} script; elsewhere no version applies and the store reports itself not configured). After each
 * migration it applies what follows settings: the column's dimension ({@code EMBEDDING_DIMENSIONS}, fixed once set:
 * a different setting later is refused) and the one vector index ({@code EMBEDDING_INDEX} for
 * {@code EMBEDDING_DISTANCE}), replacing an index of another kind. Wiring, not for application code.
 */
public final class EmbeddingFeatureSchema implements FeatureSchema {
    static final List<String> FILES = List.of("V1__document_embeddings.vector.sql");
    static final String INDEX_PREFIX = "document_embeddings_vec_";

    private final EmbeddingSettings settings;

    public EmbeddingFeatureSchema(EmbeddingSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    @Override
    public String name() {
        return "embedding";
    }

    @Override
    public int order() {
        return FeatureSchemas.EMBEDDING_ORDER;
    }

    @Override
    public String resourceFolder() {
        return "/io/llmstore/timescale/embedding/migrations/";
    }

    @Override
    public List<String> scripts() {
        return FILES;
    }

    @Override
    public Vector vector() {
        return Vector.OPTIONAL;
    }

    @Override
    public void afterMigrate(Connection c, String flavor) throws SQLException {
        Integer stored = PostgresEmbeddings.storedDimensions(c);
        if (stored == null) {
            return; // no table: no pgvector when this schema was migrated
        }
        if (stored == -1) {
            try (Statement st = c.createStatement()) {
                st.execute("ALTER TABLE document_embeddings ALTER COLUMN embedding TYPE vector(" + settings.dimensions() + ")");
            }
        } else if (stored != settings.dimensions()) {
            throw new ConfigException("EMBEDDING_DIMENSIONS is " + settings.dimensions() + " but document_embeddings"
                    + ".embedding in this schema is vector(" + stored + "): set EMBEDDING_DIMENSIONS=" + stored
                    + ", or use another DB_SCHEMA for vectors of another model");
        }
        ensureIndex(c);
    }

    private void ensureIndex(Connection c) throws SQLException {
        String wanted = settings.index() == EmbeddingSettings.Index.NONE ? null : INDEX_PREFIX
                + settings.index().name().toLowerCase(Locale.ROOT) + "_" + settings.distance().name().toLowerCase(Locale.ROOT);
        try (PreparedStatement ps = c.prepareStatement("SELECT indexname FROM pg_indexes WHERE schemaname ="
                + " current_schema() AND tablename = 'document_embeddings' AND indexname LIKE ?");
             Statement st = c.createStatement()) {
            ps.setString(1, INDEX_PREFIX + "%");
            boolean present = false;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (rs.getString(1).equals(wanted)) {
                        present = true;
                    } else {
                        st.addBatch("DROP INDEX " + rs.getString(1));
                    }
                }
            }
            st.executeBatch();
            if (wanted != null && !present) {
                String with = settings.index() == EmbeddingSettings.Index.HNSW ? ""
                        : " WITH (lists = " + settings.ivfflatLists() + ")";
                st.execute("CREATE INDEX " + wanted + " ON document_embeddings USING "
                        + settings.index().name().toLowerCase(Locale.ROOT) + " (embedding "
                        + settings.distance().operatorClass() + ")" + with);
            }
        }
    }

    @Override
    public String toString() {
        return "EmbeddingFeatureSchema" + settings;
    }
}
