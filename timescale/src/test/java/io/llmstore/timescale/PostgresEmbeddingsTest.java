package io.llmstore.timescale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.conversation.Message;
import io.llmstore.core.embedding.Chunk;
import io.llmstore.core.embedding.EmbeddingQuery;
import io.llmstore.core.error.NotConfiguredException;
import io.llmstore.core.usage.UsageFilter;
import io.llmstore.testkit.PostgresServer;
import io.llmstore.testkit.TestServers;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The embeddings contract on PostgreSQL 15, migrated by a superuser (who may create pgvector), and the database
 * without pgvector: a database where the extension is not created and the application's user may not create it
 * (not a superuser: pgvector is not a trusted extension), as on most managed servers.
 */
class PostgresEmbeddingsTest extends EmbeddingsContract {
    @Override
    PostgresServer server() {
        return TestServers.postgres();
    }

    @Test
    void withoutPgvectorOnlyTheEmbeddingStoreIsNotConfiguredAndEverythingElseWorks() throws Exception {
        PostgresServer s = server();
        String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        String db = "novec_" + suffix;
        String role = "novec_" + suffix;
        try (Connection admin = DriverManager.getConnection(s.jdbcUrl(), s.user(), s.password());
             Statement st = admin.createStatement()) {
            st.execute("CREATE ROLE " + role + " LOGIN NOSUPERUSER PASSWORD 'pw-" + suffix + "'");
            st.execute("CREATE DATABASE " + db + " OWNER " + role);
        }
        try {
            String url = "postgresql://" + role + ":pw-" + suffix + "@" + s.host() + ":" + s.port() + "/" + db
                    + "?sslmode=disable";
            try (StoragePool pool = StoragePool.create(StorageConfig.builder().databaseUrl(url).poolMaxConnections(2)
                    .poolMinConnections(1).set("DB_SCHEMA", "app").set("DB_MIGRATE_ON_START", "true")
                    .set("EMBEDDING_DIMENSIONS", "8").build())) {
                assertThatThrownBy(() -> pool.embeddings().search(EmbeddingQuery.nearest(new float[8], 3)))
                        .isInstanceOf(NotConfiguredException.class)
                        .hasMessageContaining("pgvector extension (vector)")
                        .hasMessageContaining("schema app has no document_embeddings table");
                assertThatThrownBy(() -> pool.embeddings().load(List.of(Chunk.of("d", 0, "x", new float[8]))))
                        .isInstanceOf(NotConfiguredException.class);

                assertThat(pool.conversations().history().append("u", "s", Message.user("hello")).sequence()).isEqualTo(1);
                pool.usage().recordAll(UsageData.generate(5, 1, 1));
                assertThat(pool.analytics().rows(UsageFilter.between(UsageData.START,
                        UsageData.START.plus(java.time.Duration.ofDays(1))), java.util.Optional.empty(), 10).rows()).hasSize(5);
            }
            try (Connection c = DriverManager.getConnection(s.jdbcUrl().replace("/" + s.database() + "?", "/" + db + "?"), s.user(), s.password());
                 Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM app.llmstore_schema_history WHERE feature = 'embedding'")) {
                rs.next();
                assertThat(rs.getInt(1)).as("no embedding version recorded, so a later migration with pgvector applies it").isZero();
            }
        } finally {
            try (Connection admin = DriverManager.getConnection(s.jdbcUrl(), s.user(), s.password());
                 Statement st = admin.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
                st.execute("DROP ROLE IF EXISTS " + role);
            }
        }
    }
}
