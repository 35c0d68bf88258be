package io.llmstore.integration.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmstore.core.StoragePool;
import io.llmstore.testkit.TestServers;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
        File stderr = File.createTempFile("ingesting-child", ".log");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", IngestingChild.class.getName(), url, schema)
                .redirectError(stderr).start();
        Set<UUID> acknowledged = new HashSet<>();
        CountDownLatch ready = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.equals("READY")) {
                        ready.countDown();
                    } else if (line.startsWith("ACK ")) {
                        synchronized (acknowledged) {
                            acknowledged.add(UUID.fromString(line.substring(4)));
                        }
                    }
                }
            } catch (Exception e) {
                // The child is gone; what was read is what counts.
            }
        }, "child-stdout");
        reader.start();
        try {
            assertThat(ready.await(60, TimeUnit.SECONDS)).as("child ready; its stderr: %s", stderr).isTrue();
            Thread.sleep(3_000); // ingesting at full speed: the buffer holds rows not yet written

            child.destroy(); // SIGTERM
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("child exited after SIGTERM").isTrue();
            reader.join(10_000);
        } finally {
            child.destroyForcibly();
        }

        Set<UUID> stored = FaultSupport.storedIds(schema);
        Set<UUID> missing = new HashSet<>(acknowledged);
        missing.removeAll(stored);
        System.out.printf("shutdown flush: %d rows acknowledged, %d stored, %d acknowledged rows missing%n",
                acknowledged.size(), stored.size(), missing.size());
        assertThat(acknowledged.size()).as("rows the child acknowledged").isGreaterThan(1_000);
        assertThat(missing).as("acknowledged rows missing after SIGTERM; child stderr:%n%s",
                String.join("\n", Files.readAllLines(stderr.toPath()).stream().limit(40).toList())).isEmpty();
        assertThat(FaultSupport.counts(schema)[0]).as("no row stored twice").isEqualTo(FaultSupport.counts(schema)[1]);
        stderr.delete();
    }
}
