package io.llmstore.testkit;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Test clean-up of a PostgreSQL schema, safe on TimescaleDB while its policies run. */
public final class Schemas {
  private Schemas() {}

  /**
   * Drops {@code schema} with everything in it. On a database with TimescaleDB the schema's jobs (refresh,
   * compression, retention policies) are deleted first: TimescaleDB 2.28 was seen to crash the whole server (SIGSEGV
   * in a refresh policy worker) when a schema was dropped while one of its jobs was starting.
   *
   * @param c      a connection with the right to drop the schema
   * @param schema a plain identifier, as tests generate them
   */
  public static void drop(Connection c, String schema) throws SQLException {
    if (!schema.matches("[a-z_][a-z0-9_]*")) {
      throw new IllegalArgumentException("schema must be a plain lower-case identifier, was '" + schema + "'");
    }
    try (Statement st = c.createStatement()) {
      boolean timescale;
      try (ResultSet rs = st.executeQuery("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb')")) {
        rs.next();
        timescale = rs.getBoolean(1);
      }
      if (timescale) {
        st.execute("SELECT delete_job(job_id) FROM timescaledb_information.jobs WHERE hypertable_schema = '" + schema + "'");
      }
      st.execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
    }
  }
}
