package io.llmstore.integration.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmstore.core.StoragePool;
import io.llmstore.core.buffer.BufferedWriter;
import io.llmstore.testkit.TestServers;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code kill -9} of an application recording usage rows at full speed through {@code pool.usage().buffered()}
 * ({@link IngestingChild}, a child JVM on this test's classpath), at a random point, 20 times per spool durability
 * on one {@code SPOOL_DIR}: each new child replays what the killed one left, and after the last kill a pool on the
 * same directory replays the rest. Then every row a child's {@code record()} returned for is in
 * {@code llm_usage_metrics}, once. The control: the same kill without a spool loses acknowledged rows, so this test
 * can see a loss.
 */
class SpoolKillTest {
    private static final int KILLS = 20;

    @TempDir
    Path spoolDir;
    private String schema;
    private String url;

    @BeforeEach
    void schema() {
        schema = FaultSupport.newSchema();
        url = TestServers.postgres().databaseUrl();
        try (StoragePool migrate = FaultSupport.pool(FaultSupport.postgresConfig(url, schema))) {
            // Given the schema exists (the children only write).
        }
    }

    @AfterEach
    void cleanUp() {
        FaultSupport.dropSchema(schema);
    }

    @ParameterizedTest(name = "SPOOL_DURABILITY={0}")
    @ValueSource(strings = {"fsync", "os"})
    void killNineAtRandomPointsLosesNoAcknowledgedRowAndStoresNoneTwice(String durability) throws Exception {
        Set<UUID> acknowledged = new HashSet<>();
        long started = System.nanoTime();
        for (int kill = 0; kill < KILLS; kill++) {
            acknowledged.addAll(runAndKill(new String[] {url, schema, spoolDir.toString(), durability},
                    ThreadLocalRandom.current().nextInt(100, 1_500)));
        }
        long killsMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        // When a pool opens the same spool, it replays what the last child left.
        long recovered;
        try (StoragePool pool = FaultSupport.pool(FaultSupport.postgresConfig(url, schema)
                .set("SPOOL_DIR", spoolDir.toString()).set("SPOOL_DURABILITY", durability))) {
            BufferedWriter.SpoolStats spool = pool.usage().buffered().spoolStats().orElseThrow();
            recovered = spool.recovered();
            assertThat(spool.lost()).as("torn or corrupt records found after kill -9").isZero();
            pool.usage().buffered().flush();
        }

        Set<UUID> stored = FaultSupport.storedIds(schema);
        Set<UUID> missing = new HashSet<>(acknowledged);
        missing.removeAll(stored);
        long[] counts = FaultSupport.counts(schema);
        System.out.printf("spool %s: %d kills in %d ms, %d rows acknowledged, %d stored, %d replayed by the last pool,"
                + " %d acknowledged rows missing, %d duplicates%n", durability, KILLS, killsMs, acknowledged.size(),
                counts[0], recovered, missing.size(), counts[0] - counts[1]);
        assertThat(acknowledged.size()).as("rows the children acknowledged").isGreaterThan(KILLS * 100);
        assertThat(missing).as("acknowledged rows missing after kill -9 and replay").isEmpty();
        assertThat(counts[0]).as("no row stored twice").isEqualTo(counts[1]);
    }

    @Test
    void withoutASpoolTheSameKillLosesAcknowledgedRows() throws Exception {
        Set<UUID> acknowledged = runAndKill(new String[] {url, schema}, 1_500);

        Set<UUID> missing = new HashSet<>(acknowledged);
        missing.removeAll(FaultSupport.storedIds(schema));
        System.out.printf("no spool: %d rows acknowledged, %d missing after kill -9%n", acknowledged.size(), missing.size());
        assertThat(missing).as("acknowledged rows lost without a spool (the failure this test detects)").isNotEmpty();
    }

    /** {@link ChildKill#runAndKill}, the acknowledged ids as event ids. */
    private static Set<UUID> runAndKill(String[] args, int millis) throws Exception {
        Set<UUID> ids = new HashSet<>();
        ChildKill.runAndKill(args, millis).forEach(id -> ids.add(UUID.fromString(id)));
        return ids;
    }
}
