package io.llmstore.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class PostgresServerIntegrationTest {

  private final PostgresServer server = TestServers.postgres();
  private final String table = "harness_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

  @Test
  void aWrittenRowIsReadBack() throws SQLException {
    try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password());
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE " + table + " (id bigint PRIMARY KEY, model text NOT NULL)");
      try {
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO " + table + " VALUES (?, ?)")) {
          insert.setLong(1, 1);
          insert.setString(2, "gpt-4o");
          assertThat(insert.executeUpdate()).isEqualTo(1);
        }
        try (ResultSet rs = st.executeQuery("SELECT model FROM " + table + " WHERE id = 1")) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getString(1)).isEqualTo("gpt-4o");
        }
      } finally {
        st.execute("DROP TABLE " + table);
      }
    }
  }

  @Test
  void aWrongPasswordIsRefused() {
    assertThat(server.supportsCopy()).isTrue();
    assertThatThrownBy(() -> DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password() + "-wrong"))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("password authentication failed");
  }
}
