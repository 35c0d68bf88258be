package io.llmstore.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.StringReader;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

/** The TimescaleDB test server is the real thing: preloaded, COPY, many sessions, a scheduler that runs jobs. */
class TimescaleServerIntegrationTest {

  private final PostgresServer server = TestServers.timescale();
  private final String table = "harness_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

  private Connection connect(PostgresServer s) throws SQLException {
    return DriverManager.getConnection(s.jdbcUrl(), s.user(), s.password());
  }

  @Test
  void timescaledbIsPreloadedAndBothExtensionsAreCreated() throws SQLException {
    assertThat(server.isTimescale()).isTrue();
    try (Connection c = connect(server); Statement st = c.createStatement()) {
      ResultSet rs = st.executeQuery("SELECT current_setting('shared_preload_libraries'),"
          + " (SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'),"
          + " (SELECT extversion FROM pg_extension WHERE extname = 'vector')");
      rs.next();
      assertThat(rs.getString(1)).contains("timescaledb");
      assertThat(rs.getString(2)).isNotNull();
      assertThat(rs.getString(3)).isNotNull();
      rs = st.executeQuery("SELECT '[1,2,3]'::vector <=> '[1,2,4]'::vector");
      rs.next();
      assertThat(rs.getDouble(1)).isBetween(0.0, 0.1);
    }
  }

  @Test
  void copyIntoAHypertableFromManyConnectionsAtOnce() throws Exception {
    try (Connection c = connect(server); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE " + table + " (ts timestamptz NOT NULL, model text NOT NULL, tokens int NOT NULL)");
      try {
        st.execute("SELECT create_hypertable('" + table + "', 'ts', chunk_time_interval => INTERVAL '1 day')");
        List<Connection> sessions = new ArrayList<>();
        try {
          for (int i = 0; i < 8; i++) {
            sessions.add(connect(server)); // eight sessions open together
          }
          for (int i = 0; i < sessions.size(); i++) {
            StringBuilder csv = new StringBuilder();
            for (int d = 0; d < 10; d++) {
              csv.append("2026-01-").append(String.format("%02d", d + 1)).append(" 12:00:00+00,m").append(i)
                  .append(',').append(d).append('\n');
            }
            long copied = sessions.get(i).unwrap(PGConnection.class).getCopyAPI()
                .copyIn("COPY " + table + " FROM STDIN (FORMAT csv)", new StringReader(csv.toString()));
            assertThat(copied).isEqualTo(10);
          }
        } finally {
          for (Connection s : sessions) {
            s.close();
          }
        }
        ResultSet rs = st.executeQuery("SELECT count(*), count(DISTINCT model),"
            + " (SELECT count(*) FROM show_chunks('" + table + "')) FROM " + table);
        rs.next();
        assertThat(rs.getLong(1)).isEqualTo(80);
        assertThat(rs.getLong(2)).isEqualTo(8);
        assertThat(rs.getLong(3)).as("one chunk per day").isEqualTo(10);
      } finally {
        st.execute("DROP TABLE " + table);
      }
    }
  }

  @Test
  void theSchedulerRunsAJobByItself() throws SQLException {
    try (Connection c = connect(server); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE " + table + " (ran_at timestamptz NOT NULL)");
      String proc = table + "_job";
      st.execute("CREATE PROCEDURE " + proc + "(job_id int, config jsonb) LANGUAGE SQL AS"
          + " $$ INSERT INTO " + table + " VALUES (now()) $$");
      ResultSet rs = st.executeQuery("SELECT add_job('" + proc + "', INTERVAL '1 second')");
      rs.next();
      int job = rs.getInt(1);
      try {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
          try (ResultSet n = st.executeQuery("SELECT count(*) FROM " + table)) {
            n.next();
            return n.getLong(1) >= 2;
          }
        });
      } finally {
        st.execute("SELECT delete_job(" + job + ")");
        st.execute("DROP PROCEDURE " + proc);
        st.execute("DROP TABLE " + table);
      }
    }
  }

  @Test
  void thePlainPostgresServerListsTimescaledbButDoesNotLoadIt() throws SQLException {
    // The trap users meet: the extension's files are installed, the preload is not set.
    try (Connection c = connect(TestServers.postgres()); Statement st = c.createStatement()) {
      ResultSet rs = st.executeQuery("SELECT current_setting('shared_preload_libraries'),"
          + " EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'),"
          + " EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb')");
      rs.next();
      assertThat(rs.getString(1)).doesNotContain("timescaledb");
      assertThat(rs.getBoolean(2)).as("listed as available").isTrue();
      assertThat(rs.getBoolean(3)).as("not created").isFalse();
    }
  }
}
