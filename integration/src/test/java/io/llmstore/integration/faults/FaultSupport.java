package io.llmstore.integration.faults;

import io.llmstore.testkit.TcpProxy;
import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.usage.UsageMetric;
import io.llmstore.testkit.PostgresServer;
import io.llmstore.testkit.TestServers;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** Shared helpers of the fault suite: per-test schemas on the real PostgreSQL, rows, counts read back with plain JDBC. */
final class FaultSupport {
    private FaultSupport() {
    }

    /** A fresh schema name such as {@code fault_3f9a1c2b}. */
    static String newSchema() {
        return "fault_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffffL);
    }

    /** Config for the test PostgreSQL (or {@code url} pointing elsewhere, e.g. a proxy), schema migrated on start. */
    static StorageConfig.Builder postgresConfig(String databaseUrl, String schema) {
        return StorageConfig.builder()
                .databaseUrl(databaseUrl)
                .set("DB_SCHEMA", schema)
                .set("DB_MIGRATE_ON_START", "true")
                .set("DB_TIMESCALEDB", "off")
                .set("DB_POOL_CONNECT_TIMEOUT", "1s")
                .set("DB_RETRY_INITIAL_BACKOFF", "50ms")
                .set("DB_RETRY_MAX_BACKOFF", "500ms");
    }

    /** The test PostgreSQL's URL with the port replaced (to go through a {@link TcpProxy}). */
    static String databaseUrlVia(int port) {
        PostgresServer pg = TestServers.postgres();
        return pg.databaseUrl().replace(":" + pg.port() + "/", ":" + port + "/");
    }

    static UsageMetric row(int i) {
        return UsageMetric.builder()
                .time(Instant.parse("2026-03-01T00:00:00Z").plusMillis(i))
                .model(i % 2 == 0 ? "gpt-4o" : "claude-sonnet")
                .provider(i % 2 == 0 ? "openai" : "anthropic")
                .tokens(100 + i % 1000, 20 + i % 100)
                .costUsd(new BigDecimal("0.001234"))
                .latencyMs(120.5)
                .user("user-" + (i % 97))
                .environment("fault-test")
                .build();
    }

    static List<UsageMetric> rows(int from, int count) {
        List<UsageMetric> rows = new ArrayList<>(count);
        for (int i = from; i < from + count; i++) {
            rows.add(row(i));
        }
        return rows;
    }

    /** A direct connection as the test superuser, outside any pool under test. */
    static Connection admin() throws SQLException {
        PostgresServer pg = TestServers.postgres();
        return DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
    }

    /** {@code count(*)} and {@code count(DISTINCT event_id)} of the schema's usage table. */
    static long[] counts(String schema) throws SQLException {
        try (Connection c = admin(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*), count(DISTINCT event_id) FROM " + schema
                     + ".llm_usage_metrics")) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2)};
        }
    }

    /** The event ids stored in the schema's usage table. */
    static Set<UUID> storedIds(String schema) throws SQLException {
        Set<UUID> ids = new HashSet<>();
        try (Connection c = admin(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT event_id FROM " + schema + ".llm_usage_metrics")) {
            while (rs.next()) {
                ids.add((UUID) rs.getObject(1));
            }
        }
        return ids;
    }

    /** How many of {@code ids} are stored. */
    static long countOf(String schema, List<UUID> ids) throws SQLException {
        try (Connection c = admin();
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + schema
                     + ".llm_usage_metrics WHERE event_id = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("uuid", ids.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    static void dropSchema(String schema) {
        try (Connection c = admin(); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        } catch (SQLException e) {
            // Best effort: a schema left behind costs nothing but disk in a throwaway cluster.
        }
    }

    static StoragePool pool(StorageConfig.Builder config) {
        return StoragePool.create(config.build());
    }
}
