package io.llmstore.timescale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.embedding.Chunk;
import io.llmstore.core.embedding.DistanceMetric;
import io.llmstore.core.embedding.EmbeddingQuery;
import io.llmstore.core.embedding.Embeddings;
import io.llmstore.core.embedding.Match;
import io.llmstore.core.error.StorageException;
import io.llmstore.testkit.PostgresServer;
import io.llmstore.testkit.Schemas;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What {@code pool.embeddings()} promises, on a real server with pgvector: {@link TimescaleEmbeddingsTest} and
 * {@link PostgresEmbeddingsTest}. Expected neighbours are computed here, in Java, by an exact scan.
 */
abstract class EmbeddingsContract {
    static final int DIM = 8;

    protected String schema;
    protected final List<StoragePool> pools = new ArrayList<>();

    abstract PostgresServer server();

    @BeforeEach
    void freshSchema() {
        schema = "e_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    @AfterEach
    void dropSchemaAndClose() throws SQLException {
        pools.forEach(StoragePool::close);
        try (Connection c = direct()) {
            Schemas.drop(c, schema);
        }
    }

    StoragePool open(Map<String, String> settings) {
        StorageConfig.Builder b = StorageConfig.builder()
                .databaseUrl(server().databaseUrl())
                .poolMaxConnections(Math.min(4, server().maxConnections()))
                .poolMinConnections(1)
                .retryMaxAttempts(2)
                .set("DB_SCHEMA", schema)
                .set("DB_MIGRATE_ON_START", "true")
                .set("EMBEDDING_DIMENSIONS", Integer.toString(DIM));
        settings.forEach(b::set);
        StoragePool p = StoragePool.create(b.build());
        pools.add(p);
        return p;
    }

    Connection direct() throws SQLException {
        PostgresServer s = server();
        Connection c = DriverManager.getConnection(s.jdbcUrl(), s.user(), s.password());
        try (Statement st = c.createStatement()) {
            st.execute("SET search_path TO \"" + schema + "\", public");
        }
        return c;
    }

    static float[] random(Random r, int dim) {
        float[] v = new float[dim];
        for (int i = 0; i < dim; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    /** pgvector's distance of {@code metric}, in double. */
    static double distance(DistanceMetric metric, float[] a, float[] b) {
        double dot = 0, na = 0, nb = 0, l2 = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
            l2 += ((double) a[i] - b[i]) * ((double) a[i] - b[i]);
        }
        return switch (metric) {
            case COSINE -> 1 - dot / Math.sqrt(na * nb);
            case L2 -> Math.sqrt(l2);
            case INNER_PRODUCT -> -dot;
        };
    }

    /** The exact top-k keys ("doc#chunk") of {@code chunks} for {@code q}. */
    static List<String> exact(List<Chunk> chunks, float[] q, int k, DistanceMetric metric) {
        return chunks.stream()
                .sorted(Comparator.comparingDouble(c -> distance(metric, c.embedding(), q)))
                .limit(k).map(EmbeddingsContract::key).collect(Collectors.toList());
    }

    static String key(Chunk c) {
        return c.documentId() + "#" + c.chunkIndex();
    }

    static String key(Match m) {
        return m.documentId() + "#" + m.chunkIndex();
    }

    /** 600 random chunks over 6 documents, metadata lang en/de alternating by document. */
    static List<Chunk> corpus(Random r) {
        List<Chunk> out = new ArrayList<>();
        for (int d = 0; d < 6; d++) {
            for (int i = 0; i < 100; i++) {
                out.add(new Chunk("doc-" + d, i, "text " + d + "/" + i, random(r, DIM),
                        Map.of("lang", d % 2 == 0 ? "en" : "de", "doc", d)));
            }
        }
        return out;
    }

    @Test
    void plantedNeighboursAreFoundAndEveryMetricRanksAsAnExactScan() {
        Embeddings e = open(Map.of()).embeddings();
        Random r = new Random(7);
        List<Chunk> chunks = new ArrayList<>(corpus(r));
        float[] q = random(r, DIM);
        for (int i = 0; i < 5; i++) { // planted: q scaled and nudged, nearer than anything random
            float[] p = q.clone();
            p[i] += 0.01f * (i + 1);
            chunks.add(new Chunk("planted", i, "planted " + i, p, Map.of("lang", "en")));
        }
        assertThat(e.load(chunks)).isEqualTo(chunks.size());
        assertThat(e.count()).isEqualTo(chunks.size());

        List<Match> cosine = e.search(EmbeddingQuery.nearest(q, 5));
        assertThat(cosine).extracting(EmbeddingsContract::key)
                .containsExactlyElementsOf(exact(chunks, q, 5, DistanceMetric.COSINE))
                .allMatch(k -> k.startsWith("planted#"));
        for (DistanceMetric metric : DistanceMetric.values()) {
            float[] query = random(r, DIM);
            List<Match> found = e.search(EmbeddingQuery.nearest(query, 10).by(metric));
            assertThat(found).as(metric.name()).extracting(EmbeddingsContract::key)
                    .containsExactlyElementsOf(exact(chunks, query, 10, metric));
            Map<String, Chunk> byKey = chunks.stream().collect(Collectors.toMap(EmbeddingsContract::key, c -> c));
            for (Match m : found) {
                double expected = distance(metric, byKey.get(key(m)).embedding(), query);
                assertThat(m.distance()).as(metric + " distance").isCloseTo(expected, within(1e-4));
                assertThat(m.similarity()).isCloseTo(metric.similarity(expected), within(1e-4));
            }
        }
    }

    @Test
    void aMetadataFilterReturnsOnlyMatchingChunksAndStillK() {
        Embeddings e = open(Map.of()).embeddings();
        Random r = new Random(11);
        List<Chunk> chunks = corpus(r);
        e.load(chunks);
        float[] q = random(r, DIM);
        List<Chunk> german = chunks.stream().filter(c -> "de".equals(c.metadata().get("lang"))).toList();
        List<Match> found = e.search(EmbeddingQuery.nearest(q, 10).where(Map.of("lang", "de")));
        assertThat(found).hasSize(10).allSatisfy(m -> assertThat(m.metadata()).containsEntry("lang", "de"));
        assertThat(found).extracting(EmbeddingsContract::key)
                .containsExactlyElementsOf(exact(german, q, 10, DistanceMetric.COSINE));
        // a selective filter (one document of six): the iterative scan still finds k
        List<Match> one = e.search(EmbeddingQuery.nearest(q, 20).where(Map.of("doc", 3)));
        assertThat(one).hasSize(20).allSatisfy(m -> assertThat(m.documentId()).isEqualTo("doc-3"));
        assertThat(e.search(EmbeddingQuery.nearest(q, 5).where(Map.of("lang", "fr")))).isEmpty();
    }

    @Test
    void textAndMetadataComeBackVerbatim() {
        Embeddings e = open(Map.of()).embeddings();
        String text = "tab\there\nnew line\r\\backslash \\N \u05e9\u05dc\u05d5\u05dd \uD83D\uDE00 'q' \"dq\" " + "z".repeat(100_000);
        Map<String, Object> meta = new HashMap<>(Map.of("title", "caf\u00e9\t\"x\"\n", "n", 3, "tags", List.of("a", "b")));
        meta.put("none", null);
        float[] v = random(new Random(1), DIM);
        e.load(List.of(new Chunk("d\tx\\", 0, text, v, meta)));
        Match m = e.search(EmbeddingQuery.nearest(v, 1)).get(0);
        assertThat(m.text().equals(text)).as("text verbatim").isTrue();
        assertThat(m.documentId()).isEqualTo("d\tx\\");
        assertThat(m.metadata()).isEqualTo(meta);
        assertThat(m.similarity()).isCloseTo(1.0, within(1e-5));
    }

    @Test
    void aDocumentsChunksAreReplacedOrDeletedAndOthersStay() {
        Embeddings e = open(Map.of()).embeddings();
        Random r = new Random(3);
        List<Chunk> chunks = corpus(r);
        e.load(chunks);
        float[] fresh = random(r, DIM);
        assertThat(e.replace("doc-1", List.of(Chunk.of("doc-1", 0, "new 0", fresh), Chunk.of("doc-1", 1, "new 1", random(r, DIM)))))
                .isEqualTo(2);
        assertThat(e.count()).isEqualTo(600 - 100 + 2);
        Match top = e.search(EmbeddingQuery.nearest(fresh, 1)).get(0);
        assertThat(top.text()).isEqualTo("new 0");
        assertThat(e.delete("doc-1")).isEqualTo(2);
        assertThat(e.delete("doc-1")).isZero();
        assertThat(e.count()).isEqualTo(500);
        assertThat(e.search(EmbeddingQuery.nearest(fresh, 50))).noneMatch(m -> m.documentId().equals("doc-1"));
    }

    @Test
    void badInputIsRefusedNamingTheFieldAndAFailedLoadStoresNothing() {
        Embeddings e = open(Map.of()).embeddings();
        Random r = new Random(5);
        assertThatThrownBy(() -> e.load(List.of(Chunk.of("d", 0, "ok", random(r, DIM)), Chunk.of("d", 1, "short", new float[3]))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("chunks[1].embedding").hasMessageContaining("must have 8 dimensions (EMBEDDING_DIMENSIONS), had 3");
        float[] nan = random(r, DIM);
        nan[2] = Float.NaN;
        assertThatThrownBy(() -> Chunk.of("d", 0, "x", nan)).hasMessageContaining("embedding[2] must be a finite number, was NaN");
        float[] inf = random(r, DIM);
        inf[0] = Float.POSITIVE_INFINITY;
        assertThatThrownBy(() -> EmbeddingQuery.nearest(inf, 3)).hasMessageContaining("vector[0] must be a finite number");
        assertThatThrownBy(() -> e.search(EmbeddingQuery.nearest(new float[DIM + 1], 3)))
                .hasMessageContaining("vector must have 8 dimensions (EMBEDDING_DIMENSIONS), had 9");
        assertThatThrownBy(() -> EmbeddingQuery.nearest(random(r, DIM), 0)).hasMessageContaining("k must be in 1..1000, was 0");
        assertThatThrownBy(() -> Chunk.of("d", -1, "x", random(r, DIM))).hasMessageContaining("chunkIndex must be >= 0, was -1");
        assertThatThrownBy(() -> Chunk.of("d", 0, "a\u0000", random(r, DIM))).hasMessageContaining("text must not contain U+0000");
        assertThatThrownBy(() -> e.replace("a", List.of(Chunk.of("b", 0, "x", random(r, DIM)))))
                .hasMessageContaining("chunks[0].documentId must be 'a' (the document replaced), was 'b'");

        e.load(List.of(Chunk.of("d", 0, "first", random(r, DIM))));
        assertThatThrownBy(() -> e.load(List.of(Chunk.of("e", 0, "new", random(r, DIM)), Chunk.of("d", 0, "again", random(r, DIM)))))
                .isInstanceOf(StorageException.class).hasMessageContaining("duplicate key");
        assertThat(e.count()).as("the failed COPY stored neither row").isEqualTo(1);
    }

    @Test
    void aLoadWhoseConnectionIsKilledStoresNothingAndTheNextLoadWorks() throws Exception {
        StoragePool p = open(Map.of("DB_POOL_MAX_CONNECTIONS", "1"));
        Embeddings e = p.embeddings();
        List<Chunk> chunks = corpus(new Random(13));
        e.count(); // checks the table once, before the lock below
        try (Connection holder = direct(); Statement st = holder.createStatement()) {
            holder.setAutoCommit(false);
            st.execute("LOCK TABLE document_embeddings IN ACCESS EXCLUSIVE MODE");
            java.util.concurrent.CompletableFuture<Long> blocked = java.util.concurrent.CompletableFuture.supplyAsync(() -> e.load(chunks));
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() -> waitingCopies() == 1);
            try (Connection admin = direct(); Statement a = admin.createStatement()) {
                a.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                        + " AND query LIKE 'COPY document_embeddings%'");
            }
            assertThatThrownBy(() -> blocked.get(20, java.util.concurrent.TimeUnit.SECONDS)).hasCauseInstanceOf(StorageException.class);
            holder.rollback();
        }
        // the pool's only connection was the killed one: it was evicted, so this load gets a fresh one
        assertThat(e.load(chunks)).isEqualTo(chunks.size());
        assertThat(e.count()).isEqualTo(chunks.size());
    }

    long waitingCopies() throws SQLException {
        try (Connection c = direct(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'COPY document_embeddings%'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void theIndexFollowsTheSettingsAtTheNextMigrationAndTheDimensionIsFixed() throws SQLException {
        open(Map.of()).embeddings().load(corpus(new Random(9)));
        assertThat(indexes()).containsExactly("document_embeddings_vec_hnsw_cosine");
        open(Map.of("EMBEDDING_INDEX", "ivfflat", "EMBEDDING_DISTANCE", "l2", "EMBEDDING_IVFFLAT_LISTS", "10"));
        assertThat(indexes()).containsExactly("document_embeddings_vec_ivfflat_l2");
        Embeddings ivf = pools.get(pools.size() - 1).embeddings();
        float[] q = random(new Random(10), DIM);
        assertThat(ivf.search(EmbeddingQuery.nearest(q, 5).by(DistanceMetric.L2))).hasSize(5);
        open(Map.of("EMBEDDING_INDEX", "none"));
        assertThat(indexes()).isEmpty();
        assertThatThrownBy(() -> open(Map.of("EMBEDDING_DIMENSIONS", "16")))
                .hasMessageContaining("EMBEDDING_DIMENSIONS is 16 but document_embeddings.embedding in this schema is vector(8)");
    }

    List<String> indexes() throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = direct(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT indexname FROM pg_indexes WHERE schemaname = '" + schema + "' AND indexname LIKE 'document_embeddings_vec_%'")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
