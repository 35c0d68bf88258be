package io.llmstore.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TimescaleServerIntegrationTest {

  private final PostgresServer server = TestServers.timescale();
  private final String table = "harness_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

  @Test
  void aHypertableStoresAndReturnsARow() throws SQLException {
    assertThat(server.isTimescale()).isTrue();
    // One connection at a time: the local TimescaleDB (PGlite) serves a single session.
    try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password());
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE " + table + " (ts timestamptz NOT NULL, model text NOT NULL, tokens int NOT NULL)");
      try {
        try (ResultSet rs = st.executeQuery("SELECT create_hypertable('" + table + "', 'ts')")) {
          assertThat(rs.next()).isTrue();
        }
        Instant at = Instant.parse("2026-01-01T00:00:00Z");
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO " + table + " VALUES (?, ?, ?)")) {
          insert.setTimestamp(1, Timestamp.from(at));
          insert.setString(2, "claude");
          insert.setInt(3, 42);
          assertThat(insert.executeUpdate()).isEqualTo(1);
        }
        try (ResultSet rs = st.executeQuery("SELECT ts, model, tokens FROM " + table)) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getTimestamp(1).toInstant()).isEqualTo(at);
          assertThat(rs.getString(2)).isEqualTo("claude");
          assertThat(rs.getInt(3)).isEqualTo(42);
          assertThat(rs.next()).isFalse();
        }
        try (ResultSet rs = st.executeQuery(
            "SELECT count(*) FROM timescaledb_information.hypertables WHERE hypertable_name = '" + table + "'")) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getInt(1)).isEqualTo(1);
        }
      } finally {
        st.execute("DROP TABLE " + table);
      }
    }
  }
}
