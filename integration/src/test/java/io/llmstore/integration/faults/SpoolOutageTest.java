package io.llmstore.integration.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llmstore.core.StoragePool;
import io.llmstore.core.buffer.BufferedWriter;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.error.BufferFullException;
import io.llmstore.core.usage.BufferedUsageWriter;
import io.llmstore.core.usage.UsageMetric;
import io.llmstore.testkit.TcpProxy;
import io.llmstore.testkit.TestServers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spool during a database outage (the proxy refuses every connection): it holds what memory cannot, so a
 * 2-minute outage under load with more rows than {@code USAGE_BUFFER_CAPACITY} fails no caller and stores every
 * accepted row once afterwards; and a full disk (a 1 MiB tmpfs) is answered with the configured policy
 * ({@code reject} at once, {@code block} until the stored rows are trimmed) while nothing acknowledged is lost.
 */
class SpoolOutageTest {
    private static final int CAPACITY = 5_000;
    private TcpProxy proxy;
    private StoragePool pool;
    private String schema;
    @TempDir
    Path temp;

    @BeforeEach
    void proxy() throws Exception {
        proxy = TcpProxy.to(TestServers.postgres().host(), TestServers.postgres().port());
        schema = FaultSupport.newSchema();
    }

    @AfterEach
    void cleanUp() {
        proxy.resume();
        if (pool != null) {
            pool.close();
        }
        proxy.close();
        FaultSupport.dropSchema(schema);
    }

    @Test
    void aTwoMinuteOutageUnderLoadWithMoreRowsThanMemoryStoresEveryAcceptedRowOnce() throws Exception {
        pool = FaultSupport.pool(config(temp.resolve("spool"), "block", "5s"));
        BufferedUsageWriter writer = pool.usage().buffered();
        List<UUID> accepted = new ArrayList<>();
        List<UsageMetric> before = FaultSupport.rows(0, 1_000);
        writer.recordAll(before);
        writer.flush();
        before.forEach(r -> accepted.add(r.eventId()));

        proxy.refuseNew();
        long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        long maxBuffered = 0;
        int i = 1_000;
        int rejected = 0;
        while (System.nanoTime() < end) {
            long second = System.nanoTime() + 1_000_000_000L;
            for (int n = 0; n < 2_000; n++) { // 2,000 rows/s: 240,000 rows, 48x the memory capacity
                UsageMetric row = FaultSupport.row(i++);
                try {
                    writer.record(row);
                    accepted.add(row.eventId());
                } catch (BufferFullException e) {
                    rejected++;
                }
            }
            maxBuffered = Math.max(maxBuffered, writer.stats().buffered());
            TimeUnit.NANOSECONDS.sleep(Math.max(0, second - System.nanoTime()));
        }
        BufferedWriter.SpoolStats during = writer.spoolStats().orElseThrow();
        assertThat(rejected).as("callers failed during the outage").isZero();
        assertThat(maxBuffered).as("rows held in memory").isLessThanOrEqualTo(CAPACITY);
        assertThat(during.diskOnly()).as("rows only in the spool").isGreaterThan(20L * CAPACITY);
        assertThat(FaultSupport.counts(schema)[0]).as("stored during the outage").isEqualTo(1_000);

        proxy.resume();
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                .until(() -> writer.spoolStats().orElseThrow().pending() == 0);

        System.out.printf("2-minute outage: %d rows accepted, %d on disk only at the end, spool %d bytes%n",
                accepted.size(), during.diskOnly(), during.bytes());
        assertThat(FaultSupport.counts(schema)).containsExactly(accepted.size(), accepted.size());
        assertThat(FaultSupport.storedIds(schema)).isEqualTo(new HashSet<>(accepted));
        assertThat(writer.stats().dropped()).isZero();
    }

    @Test
    void aFullDiskUnderRejectFailsAtOnceAndEveryAcknowledgedRowIsStoredAfterRecovery() throws Exception {
        Path disk = mountTinyDisk();
        try {
            pool = FaultSupport.pool(config(disk, "reject", "0ms"));
            BufferedUsageWriter writer = pool.usage().buffered();
            proxy.refuseNew();
            List<UUID> acknowledged = new ArrayList<>();
            BufferFullException full = null;
            for (int i = 0; i < 100_000 && full == null; i++) {
                UsageMetric row = FaultSupport.row(i);
                long t0 = System.nanoTime();
                try {
                    writer.record(row);
                    acknowledged.add(row.eventId());
                } catch (BufferFullException e) {
                    assertThat((System.nanoTime() - t0) / 1_000_000).as("ms a rejected record() took").isLessThan(100);
                    full = e;
                }
            }
            assertThat(full).as("the 1 MiB disk filled").isNotNull();
            assertThat(full).hasMessageContaining("usage spool is full").hasMessageContaining("is full (No space left");
            assertThat(acknowledged.size()).as("rows that fit in 1 MiB").isBetween(3_000, 12_000);

            proxy.resume();
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(100))
                    .until(() -> writer.spoolStats().orElseThrow().pending() == 0);
            assertThat(FaultSupport.storedIds(schema)).isEqualTo(new HashSet<>(acknowledged));
            assertThat(FaultSupport.counts(schema)).containsExactly(acknowledged.size(), acknowledged.size());
            writer.record(FaultSupport.row(200_000)); // the stored rows were trimmed: room again
            writer.flush();
            pool.close();
            pool = null;
        } finally {
            unmount(disk);
        }
    }

    @Test
    void aFullDiskUnderBlockWaitsUntilStoredRowsAreTrimmed() throws Exception {
        Path disk = mountTinyDisk();
        try {
            pool = FaultSupport.pool(config(disk, "block", "20s"));
            BufferedUsageWriter writer = pool.usage().buffered();
            proxy.refuseNew();
            List<UUID> acknowledged = new ArrayList<>();
            // Fill the disk from another thread: its record() blocks once the disk is full.
            CompletableFuture<Void> filling = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 20_000; i++) {
                    UsageMetric row = FaultSupport.row(i);
                    writer.record(row);
                    synchronized (acknowledged) {
                        acknowledged.add(row.eventId());
                    }
                }
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                int before;
                synchronized (acknowledged) {
                    before = acknowledged.size();
                }
                Thread.sleep(500);
                synchronized (acknowledged) {
                    return before > 0 && acknowledged.size() == before; // stuck: record() waits for room
                }
            });
            assertThat(filling).as("record() blocks on the full disk").isNotDone();
            int blockedAt;
            synchronized (acknowledged) {
                blockedAt = acknowledged.size();
            }

            proxy.resume();
            filling.get(60, TimeUnit.SECONDS); // the blocked record() and the rest went through
            writer.flush();
            await().atMost(Duration.ofMinutes(1)).until(() -> writer.spoolStats().orElseThrow().pending() == 0);

            System.out.printf("full disk under block: record() blocked after %d rows, all 20000 stored%n", blockedAt);
            assertThat(blockedAt).isLessThan(20_000);
            assertThat(FaultSupport.storedIds(schema)).isEqualTo(new HashSet<>(acknowledged));
            assertThat(FaultSupport.counts(schema)).containsExactly(20_000, 20_000);
            pool.close();
            pool = null;
        } finally {
            unmount(disk);
        }
    }

    private StorageConfig.Builder config(Path spoolDir, String policy, String timeout) {
        return FaultSupport.postgresConfig(FaultSupport.databaseUrlVia(proxy.port()), schema)
                .set("USAGE_BUFFER_CAPACITY", Integer.toString(CAPACITY))
                .set("USAGE_FLUSH_SIZE", "1000")
                .set("USAGE_FLUSH_INTERVAL", "50ms")
                .set("USAGE_BUFFER_FULL_POLICY", policy)
                .set("USAGE_BUFFER_FULL_TIMEOUT", timeout)
                .set("USAGE_SHUTDOWN_FLUSH_TIMEOUT", "0")
                .set("DB_RETRY_MAX_ATTEMPTS", "2")
                .set("DB_RETRY_MAX_BACKOFF", "1s")
                .set("DB_POOL_CONNECT_TIMEOUT", "1s")
                .set("SPOOL_DIR", spoolDir.toString())
                .set("SPOOL_DURABILITY", "os");
    }

    /** A 1 MiB tmpfs (the test runs as root, as the suite does); the spool's own bound stays at its 1 GiB default. */
    private Path mountTinyDisk() throws Exception {
        Path dir = Files.createDirectories(temp.resolve("tiny-disk"));
        run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", dir.toString());
        return dir;
    }

    private static void unmount(Path dir) throws Exception {
        run("umount", dir.toString());
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed (the fault suite runs as root): " + out);
        }
    }
}
