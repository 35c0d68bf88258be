package io.llmstore.integration.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmstore.core.StoragePool;
import io.llmstore.core.buffer.BufferedWriter;
import io.llmstore.core.gateway.ApiKey;
import io.llmstore.core.gateway.ApiKeySpec;
import io.llmstore.core.gateway.Model;
import io.llmstore.core.gateway.ModelSpec;
import io.llmstore.testkit.TestServers;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code kill -9} of an application writing spans ({@code pool.traces().write}), operations
 * ({@code pool.operations().buffered()}) or gateway usage records ({@code pool.gateway().records().buffered()}) at full
 * speed with a spool ({@link IngestingChild}, killed by {@link ChildKill}), at random points, {@value #KILLS} times on
 * one {@code SPOOL_DIR}: each new child replays what the killed one left, and after the last kill a pool on the same
 * directory replays the rest. Then every row a child's {@code record} returned for is stored, once, by its
 * idempotent key (span: trace, span, start; operation_id; request_id). {@link SpoolKillTest} does the same for usage
 * rows, with its no-spool control.
 */
class SpoolKillKindsTest {
    private static final int KILLS = 3;

    @TempDir
    Path spoolDir;
    private String schema;
    private String url;
    private String[] gatewayIds;

    @BeforeEach
    void schema() {
        schema = FaultSupport.newSchema();
        url = TestServers.postgres().databaseUrl();
        try (StoragePool migrate = FaultSupport.pool(FaultSupport.postgresConfig(url, schema))) {
            // Given the schema exists (the children only write), and the key and model gateway records refer to.
            migrate.gateway().models().registerProvider("openai", "openai");
            Model model = migrate.gateway().models().register(new ModelSpec("openai", "gpt-4o", List.of(), 128_000));
            ApiKey key = migrate.gateway().apiKeys().create("sk-test-" + UUID.randomUUID() + "-kill",
                    ApiKeySpec.named("kill"));
            gatewayIds = new String[] {Long.toString(key.id()), Long.toString(model.id()), Long.toString(model.providerId())};
        }
    }

    @AfterEach
    void cleanUp() {
        FaultSupport.dropSchema(schema);
    }

    @ParameterizedTest(name = "{0}, SPOOL_DURABILITY={1}")
    @CsvSource({"span, fsync", "span, os", "operation, os", "gateway-usage, os"})
    void killNineAtRandomPointsLosesNoAcknowledgedRowAndStoresNoneTwice(String kind, String durability) throws Exception {
        Set<String> acknowledged = new HashSet<>();
        String[] args = {url, schema, spoolDir.toString(), durability, kind, gatewayIds[0], gatewayIds[1], gatewayIds[2]};
        for (int kill = 0; kill < KILLS; kill++) {
            acknowledged.addAll(ChildKill.runAndKill(args, ThreadLocalRandom.current().nextInt(200, 1_000)));
        }

        // When a pool opens the same spool, it replays what the last child left.
        BufferedWriter.SpoolStats spool;
        try (StoragePool pool = FaultSupport.pool(FaultSupport.postgresConfig(url, schema)
                .set("SPOOL_DIR", spoolDir.toString()).set("SPOOL_DURABILITY", durability))) {
            spool = switch (kind) {
                case "span" -> pool.traces().spoolStats().orElseThrow();
                case "operation" -> pool.operations().buffered().spoolStats().orElseThrow();
                default -> pool.gateway().records().buffered().spoolStats().orElseThrow();
            };
            assertThat(spool.lost()).as("torn or corrupt records found after kill -9").isZero();
            pool.flush();
        }

        List<String> stored = storedIds(kind);
        Set<String> missing = new HashSet<>(acknowledged);
        missing.removeAll(stored);
        System.out.printf("spool %s/%s: %d kills, %d rows acknowledged, %d stored, %d replayed by the last pool,"
                + " %d acknowledged rows missing, %d duplicates%n", kind, durability, KILLS, acknowledged.size(),
                stored.size(), spool.recovered(), missing.size(), stored.size() - new HashSet<>(stored).size());
        assertThat(acknowledged.size()).as("rows the children acknowledged").isGreaterThan(KILLS * 100);
        assertThat(missing).as("acknowledged rows missing after kill -9 and replay").isEmpty();
        assertThat(stored).as("no row stored twice").doesNotHaveDuplicates();
        if (kind.equals("operation")) {
            assertThat(count("SELECT count(*) FROM " + schema + ".llm_messages")).as("two messages per operation")
                    .isEqualTo(2L * stored.size());
        }
    }

    /** The stored rows' ids as the child prints them; a row stored twice appears twice. */
    private List<String> storedIds(String kind) throws SQLException {
        String sql = switch (kind) {
            case "span" -> "SELECT t.external_id || '/' || s.span_id FROM " + schema + ".llm_spans s JOIN " + schema
                    + ".llm_traces t ON t.trace_id = s.trace_id";
            case "operation" -> "SELECT operation_id::text FROM " + schema + ".llm_operations";
            default -> "SELECT request_id::text FROM " + schema + ".gateway_usage_records";
        };
        List<String> ids = new ArrayList<>();
        try (Connection c = FaultSupport.admin(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return ids;
    }

    private static long count(String sql) throws SQLException {
        try (Connection c = FaultSupport.admin(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
