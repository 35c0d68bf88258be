package io.llmstore.testkit;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A PostgreSQL server a test may use: real PostgreSQL, or TimescaleDB.
 *
 * <p>Tests should respect {@link #maxConnections()} and {@link #supportsCopy()}, which a server
 * given by URL may restrict. {@link #toString()} masks the password.
 *
 * @param name           which server this is: {@code "postgres"} or {@code "timescale"}
 * @param host           host name or address
 * @param port           TCP port
 * @param database       database name
 * @param user           user name
 * @param password       the user's password
 * @param isTimescale    whether the {@code timescaledb} extension is available
 * @param maxConnections how many connections a test may hold at once, at least 1
 * @param supportsCopy   whether {@code COPY ... FROM STDIN} works
 */
public record PostgresServer(
    String name,
    String host,
    int port,
    String database,
    String user,
    String password,
    boolean isTimescale,
    int maxConnections,
    boolean supportsCopy) {

  /** Checks every field; a {@code null} or an out-of-range value throws. */
  public PostgresServer {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be in 1..65535, was " + port);
    }
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections must be >= 1, was " + maxConnections);
    }
  }

  /** The pgjdbc URL, without credentials (pass {@link #user()} and {@link #password()}). */
  public String jdbcUrl() {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database + "?sslmode=disable";
  }

  /** The {@code postgresql://user:password@host:port/database?sslmode=disable} form (the library's DATABASE_URL). */
  public String databaseUrl() {
    return "postgresql://" + encode(user) + ":" + encode(password) + "@" + host + ":" + port + "/" + database
        + "?sslmode=disable";
  }

  /** Every field, with the password masked. */
  @Override
  public String toString() {
    return "PostgresServer[name=" + name + ", url=postgresql://" + user + ":****@" + host + ":" + port + "/" + database
        + ", isTimescale=" + isTimescale + ", maxConnections=" + maxConnections + ", supportsCopy=" + supportsCopy + "]";
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
