package io.llmstore.timescale;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.embedding.Chunk;
import io.llmstore.core.embedding.DistanceMetric;
import io.llmstore.core.embedding.EmbeddingQuery;
import io.llmstore.core.embedding.Embeddings;
import io.llmstore.core.embedding.Match;
import io.llmstore.testkit.PostgresServer;
import io.llmstore.testkit.Schemas;
import io.llmstore.testkit.TestServers;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Recall@10 of the default HNSW settings (m 16, ef_construction 64, {@code EMBEDDING_EF_SEARCH} 100) against an exact
 * scan computed in Java, on 10k × 384 clustered vectors (40 Gaussian clusters, like sentence embeddings of a few
 * topics), queries drawn from the same clusters. pgvector's own default ef_search (40) is measured next to it, to show
 * why the default is 100.
 */
class EmbeddingRecallTest {
    static final int N = 10_000;
    static final int DIM = 384;
    static final int CLUSTERS = 40;
    static final int QUERIES = 100;

    private final PostgresServer server = TestServers.timescale();
    private final String schema = "r_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    private final List<StoragePool> pools = new ArrayList<>();

    @AfterEach
    void drop() throws SQLException {
        pools.forEach(StoragePool::close);
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password())) {
            Schemas.drop(c, schema);
        }
    }

    StoragePool open(Map<String, String> settings) {
        StorageConfig.Builder b = StorageConfig.builder().databaseUrl(server.databaseUrl()).poolMaxConnections(2)
                .poolMinConnections(1).set("DB_SCHEMA", schema).set("DB_MIGRATE_ON_START", "true")
                .set("EMBEDDING_DIMENSIONS", Integer.toString(DIM));
        settings.forEach(b::set);
        StoragePool p = StoragePool.create(b.build());
        pools.add(p);
        return p;
    }

    static float[][] clustered(Random r, int n, float[][] centers, double spread) {
        float[][] out = new float[n][];
        for (int i = 0; i < n; i++) {
            float[] c = centers[r.nextInt(centers.length)];
            float[] v = new float[DIM];
            for (int d = 0; d < DIM; d++) {
                v[d] = (float) (c[d] + spread * r.nextGaussian());
            }
            out[i] = v;
        }
        return out;
    }

    @Test
    void defaultHnswSettingsReachRecallAtTenOfAtLeast095AgainstAnExactScan() throws SQLException {
        Random r = new Random(42);
        float[][] centers = new float[CLUSTERS][];
        for (int i = 0; i < CLUSTERS; i++) {
            centers[i] = EmbeddingsContract.random(r, DIM);
        }
        float[][] data = clustered(r, N, centers, 0.35);
        float[][] queries = clustered(r, QUERIES, centers, 0.35);
        List<Chunk> chunks = new ArrayList<>(N);
        for (int i = 0; i < N; i++) {
            chunks.add(Chunk.of("d" + (i / 100), i % 100, "c" + i, data[i]));
        }
        // Loaded without an index, then indexed by the next migration: a build over all rows, as docs/embeddings.md advises.
        open(Map.of("EMBEDDING_INDEX", "none")).embeddings().load(chunks);
        Embeddings hnsw = open(Map.of()).embeddings();
        Embeddings ef40 = open(Map.of("EMBEDDING_EF_SEARCH", "40")).embeddings();
        assertUsesTheIndex();

        double recall = 0;
        double recall40 = 0;
        for (float[] q : queries) {
            Set<String> truth = new HashSet<>(EmbeddingsContract.exact(chunks, q, 10, DistanceMetric.COSINE));
            recall += overlap(truth, hnsw.search(EmbeddingQuery.nearest(q, 10)));
            recall40 += overlap(truth, ef40.search(EmbeddingQuery.nearest(q, 10)));
        }
        recall /= QUERIES * 10.0;
        recall40 /= QUERIES * 10.0;
        System.out.printf("recall@10 on %d x %d clustered, %d queries: ef_search=100 %.4f, ef_search=40 %.4f%n",
                N, DIM, QUERIES, recall, recall40);
        assertThat(recall).as("recall@10 with the defaults").isGreaterThanOrEqualTo(0.95);
    }

    private static double overlap(Set<String> truth, List<Match> found) {
        return found.stream().filter(m -> truth.contains(EmbeddingsContract.key(m))).count();
    }

    private void assertUsesTheIndex() throws SQLException {
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password());
             Statement st = c.createStatement()) {
            st.execute("SET search_path TO " + schema + ", public");
            StringBuilder plan = new StringBuilder();
            try (ResultSet rs = st.executeQuery("EXPLAIN SELECT document_id, chunk_index, chunk_text, metadata::text,"
                    + " embedding <=> (SELECT embedding FROM document_embeddings LIMIT 1) AS distance"
                    + " FROM document_embeddings ORDER BY distance LIMIT 10")) {
                while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                }
            }
            assertThat(plan.toString()).contains("Index Scan using document_embeddings_vec_hnsw_cosine");
        }
    }
}
