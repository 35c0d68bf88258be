package io.llmstore.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PostgresServerTest {

  private final PostgresServer postgres =
      new PostgresServer("postgres", "127.0.0.1", 55432, "postgres", "postgres", "s3cret pw", false, 100, true);
  private final PostgresServer timescale =
      new PostgresServer("timescale", "127.0.0.1", 55433, "postgres", "postgres", "s3cret pw", true, 100, true);

  @Test
  void jdbcUrlsAreTheSameShapeForBothServers() {
    assertThat(postgres.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:55432/postgres?sslmode=disable");
    assertThat(timescale.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:55433/postgres?sslmode=disable");
  }

  @Test
  void databaseUrlEncodesTheCredentials() {
    assertThat(postgres.databaseUrl())
        .isEqualTo("postgresql://postgres:s3cret%20pw@127.0.0.1:55432/postgres?sslmode=disable");
  }

  @Test
  void toStringMasksThePassword() {
    assertThat(postgres.toString()).doesNotContain("s3cret").contains("postgres:****@127.0.0.1:55432");
  }

  @Test
  void aPortOutOfRangeIsRefusedWithItsValue() {
    assertThatThrownBy(() -> new PostgresServer("postgres", "h", 0, "d", "u", "p", false, 1, true))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("port must be in 1..65535, was 0");
  }
}
