package io.llmstore.integration.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmstore.core.StoragePool;
import io.llmstore.testkit.TestServers;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM to an application ingesting at full speed that never called {@code close()}: the buffered writer's
 * shutdown hook ({@code USAGE_SHUTDOWN_FLUSH_TIMEOUT}, on by default) writes what {@code record()} accepted before the
 * JVM exits. The application is a child JVM ({@link IngestingChild}) on this test's classpath.
 */
class ShutdownFlushTest {
    private String schema;

    @BeforeEach
    void schema() {
        schema = FaultSupport.newSchema();
    }

    @AfterEach
    void cleanUp() {
        FaultSupport.dropSchema(schema);
    }

    @Test
    void sigtermOfAnApplicationIngestingAtFullSpeedLosesNoAcknowledgedRow() throws Exception {
        String url = TestServers.postgres().databaseUrl();
        try (StoragePool migrate = FaultSupport.pool(FaultSupport.postgresConfig(url, schema))) {
            // Given the schema exists (the child only writes).
        }
        // Ingesting at full speed for 3 s after READY: the buffer holds rows not yet written when SIGTERM arrives.
        ChildKill.Run run = ChildKill.run(IngestingChild.class, new String[] {url, schema}, 3_000, false);
        Set<UUID> acknowledged = new HashSet<>();
        run.acknowledged().forEach(id -> acknowledged.add(UUID.fromString(id)));

        Set<UUID> stored = FaultSupport.storedIds(schema);
        Set<UUID> missing = new HashSet<>(acknowledged);
        missing.removeAll(stored);
        System.out.printf("shutdown flush: %d rows acknowledged, %d stored, %d acknowledged rows missing%n",
                acknowledged.size(), stored.size(), missing.size());
        assertThat(acknowledged.size()).as("rows the child acknowledged").isGreaterThan(1_000);
        assertThat(missing).as("acknowledged rows missing after SIGTERM; child stderr:%n%s", run.stderr()).isEmpty();
        assertThat(FaultSupport.counts(schema)[0]).as("no row stored twice").isEqualTo(FaultSupport.counts(schema)[1]);
    }
}
