package io.llmstore.kafka;

import io.llmstore.core.error.ConnectionException;
import io.llmstore.core.error.QueryException;
import io.llmstore.core.usage.UsageMetric;
import io.llmstore.core.usage.UsageWriter;
import io.llmstore.testkit.PostgresServer;
import io.llmstore.testkit.TestServers;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Test-only {@link UsageWriter} on a REAL PostgreSQL server (not a mock): its own schema holding an
 * {@code llm_usage_metrics} table of the production shape, rows inserted in one transaction per batch with
 * {@code ON CONFLICT (event_id) DO NOTHING}, exactly the idempotence contract of the TimescaleDB writer. Used
 * because the timescale module's writer was not ready on its branch when these tests were written.
 */
final class JdbcUsageWriter implements UsageWriter, AutoCloseable {
    private static final String COLUMNS = "event_id, time, model_id, provider, request_count, token_input, token_output, "
            + "token_total, cost_usd, avg_latency_ms, error_count, success_count, user_id, application_id, environment, metadata";

    private final PostgresServer server = TestServers.postgres();
    private final String schema;
    private final Connection connection;
    private final AtomicLong offered = new AtomicLong();

    JdbcUsageWriter(String schemaName) {
        this(schemaName, true);
    }

    /** @param create false to write into a schema another writer (another process) created */
    JdbcUsageWriter(String schemaName, boolean create) {
        this.schema = schemaName.replaceAll("[^a-z0-9_]", "_");
        try {
            connection = DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password());
            if (!create) {
                return;
            }
            try (Statement s = connection.createStatement()) {
                s.execute("CREATE SCHEMA " + schema);
                s.execute("CREATE TABLE " + schema + ".llm_usage_metrics (event_id uuid PRIMARY KEY, "
                        + "time timestamptz NOT NULL, model_id varchar(255) NOT NULL, provider varchar(255) NOT NULL, "
                        + "request_count bigint NOT NULL, token_input bigint NOT NULL, token_output bigint NOT NULL, "
                        + "token_total bigint NOT NULL, cost_usd numeric(10,6), avg_latency_ms double precision NOT NULL, "
                        + "error_count bigint NOT NULL, success_count bigint NOT NULL, user_id varchar(255), "
                        + "application_id varchar(255), environment varchar(255), metadata jsonb)");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("test schema " + schema + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void record(UsageMetric metric) {
        recordAll(List.of(metric));
    }

    @Override
    public synchronized void recordAll(List<UsageMetric> metrics) {
        offered.addAndGet(metrics.size());
        String sql = "INSERT INTO " + schema + ".llm_usage_metrics (" + COLUMNS + ") VALUES "
                + "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?::jsonb) ON CONFLICT (event_id) DO NOTHING";
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            connection.setAutoCommit(false);
            for (UsageMetric m : metrics) {
                ps.setObject(1, m.eventId());
                ps.setTimestamp(2, Timestamp.from(m.time()));
                ps.setString(3, m.modelId());
                ps.setString(4, m.provider());
                ps.setLong(5, m.requestCount());
                ps.setLong(6, m.tokenInput());
                ps.setLong(7, m.tokenOutput());
                ps.setLong(8, m.tokenTotal());
                ps.setBigDecimal(9, m.costUsd());
                ps.setDouble(10, m.avgLatencyMs());
                ps.setLong(11, m.errorCount());
                ps.setLong(12, m.successCount());
                ps.setString(13, m.userId());
                ps.setString(14, m.applicationId());
                ps.setString(15, m.environment());
                if (m.metadata() == null) {
                    ps.setNull(16, Types.VARCHAR);
                } else {
                    ps.setString(16, m.metadata());
                }
                ps.addBatch();
            }
            ps.executeBatch();
            connection.commit();
        } catch (SQLException e) {
            try {
                connection.rollback();
            } catch (SQLException ignored) {
                // the connection is gone; the error below says so
            }
            if (e.getSQLState() != null && e.getSQLState().startsWith("08")) {
                throw new ConnectionException("PostgreSQL connection failed: " + e.getMessage(), e);
            }
            // A test writer of this module's own (kafka never depends on the PostgreSQL adapter, whose SqlErrors
            // is the real classification): just the two signals the sink acts on.
            String state = e.getSQLState();
            if (state != null && (state.startsWith("22") || state.startsWith("23"))) {
                throw QueryException.dataError("insert usage batch failed: " + e.getMessage(), e, state);
            }
            throw new QueryException("insert usage batch failed: " + e.getMessage(), e, state,
                    "40001".equals(state) || "40P01".equals(state) || "53300".equals(state)
                            || (state != null && state.startsWith("57P0")));
        } finally {
            try {
                connection.setAutoCommit(true);
            } catch (SQLException ignored) {
                // reported by the next call
            }
        }
    }

    /** Rows handed to this writer, duplicates included. */
    long offered() {
        return offered.get();
    }

    synchronized long count(String where) {
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM " + schema + ".llm_usage_metrics " + where)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    synchronized long rows() {
        return count("");
    }

    synchronized Set<UUID> ids() {
        Set<UUID> ids = new HashSet<>();
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SELECT event_id FROM " + schema + ".llm_usage_metrics")) {
            while (rs.next()) {
                ids.add((UUID) rs.getObject(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return ids;
    }

    @Override
    public synchronized void close() {
        try (Statement s = connection.createStatement()) {
            s.execute("DROP SCHEMA " + schema + " CASCADE");
        } catch (SQLException ignored) {
            // cleanup only
        }
        try {
            connection.close();
        } catch (SQLException ignored) {
            // cleanup only
        }
    }
}
