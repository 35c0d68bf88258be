package io.llmstore.core.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmstore.core.buffer.BufferedWriter.FullPolicy;
import io.llmstore.core.error.BufferFullException;
import io.llmstore.core.error.ConfigException;
import io.llmstore.core.error.ConnectionException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spool of the shared buffered writer, on a real directory, with an idempotent in-memory store standing in for
 * the database (the store is llmstore's own contract, not a backend): rows survive a writer that could not store
 * them, rows past the memory capacity live on disk and come back in order, a torn or corrupt record is skipped and
 * counted, the directory admits one writer, and a full spool answers with the policy.
 */
class SpoolUnitTest {
    @TempDir
    Path dir;

    /** Idempotent on the row (its id): counts how often each row was handed over, keeps the first-stored order. */
    static final class Store implements BufferedWriter.BatchWriter<String> {
        final Map<String, Integer> writes = new LinkedHashMap<>();
        volatile boolean down;

        @Override
        public synchronized void writeAll(List<String> rows) {
            if (down) {
                throw new ConnectionException("database down");
            }
            rows.forEach(r -> writes.merge(r, 1, Integer::sum));
        }

        synchronized List<String> stored() {
            return new ArrayList<>(writes.keySet());
        }
    }

    static final SpoolCodec<String> UTF8 = new SpoolCodec<>() {
        @Override
        public byte[] encode(String row) {
            return row.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String decode(byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    };

    private BufferedWriter<String> writer(Store store, SpoolSettings spool, int capacity, FullPolicy policy) {
        return BufferedWriter.builder("span", store, (String r) -> r)
                .capacity(capacity).flushSize(Math.min(capacity, 500)).flushInterval(Duration.ofMillis(20))
                .whenFull(policy, Duration.ofMillis(200)).shutdownFlushTimeout(Duration.ZERO)
                .spool(spool, UTF8).build();
    }

    private static List<String> rows(int from, int to) {
        List<String> rows = new ArrayList<>();
        for (int i = from; i < to; i++) {
            rows.add("row-" + i);
        }
        return rows;
    }

    @Test
    void rowsAWriterCouldNotStoreAreWrittenOnceByTheNextWriterOnTheDirectory() {
        SpoolSettings spool = SpoolSettings.of(dir);
        Store down = new Store();
        down.down = true;
        BufferedWriter<String> first = writer(down, spool, 10_000, FullPolicy.BLOCK);
        rows(0, 1_000).forEach(first::record);
        first.close(); // the database never answered: the rows stay in the spool, none is reported dropped
        assertThat(first.stats().dropped()).isZero();

        Store up = new Store();
        try (BufferedWriter<String> second = writer(up, spool, 10_000, FullPolicy.BLOCK)) {
            assertThat(second.spoolStats().orElseThrow().recovered()).isEqualTo(1_000);
            second.flush();
            assertThat(up.stored()).isEqualTo(rows(0, 1_000));
            assertThat(second.spoolStats().orElseThrow().pending()).isZero();
        }
        try (BufferedWriter<String> third = writer(new Store(), spool, 10_000, FullPolicy.BLOCK)) {
            assertThat(third.spoolStats().orElseThrow().recovered()).as("stored rows were trimmed").isZero();
        }
    }

    @Test
    void rowsPastTheMemoryCapacityLiveInTheSpoolAndAreStoredInOrderWhenTheDatabaseReturns() {
        Store store = new Store();
        store.down = true;
        try (BufferedWriter<String> w = writer(store, SpoolSettings.of(dir), 100, FullPolicy.REJECT)) {
            rows(0, 20_000).forEach(w::record); // 200x the memory capacity, no BufferFullException

            assertThat(w.stats().buffered()).isLessThanOrEqualTo(100);
            assertThat(w.spoolStats().orElseThrow().diskOnly()).isGreaterThanOrEqualTo(19_900);
            assertThat(w.spoolStats().orElseThrow().pending()).isEqualTo(20_000);

            store.down = false;
            w.flush();
            assertThat(store.stored()).isEqualTo(rows(0, 20_000));
            assertThat(store.writes.values()).allMatch(n -> n <= 2); // at most the one failed try, replayed
            assertThat(w.spoolStats().orElseThrow().pending()).isZero();
            assertThat(w.spoolStats().orElseThrow().diskOnly()).isZero();
        }
    }

    @Test
    void aTornTailAndACorruptRecordAreSkippedAndCountedAndTheRestIsWritten() throws IOException {
        SpoolSettings spool = SpoolSettings.of(dir);
        Store down = new Store();
        down.down = true;
        BufferedWriter<String> first = writer(down, spool, 1_000, FullPolicy.BLOCK);
        rows(0, 100).forEach(first::record);
        first.close();
        Path segment = segments().get(0);
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
            // Record 0 ("row-0", 5 bytes) starts after the 12-byte segment header: flip a payload byte.
            f.seek(SegmentLog.SEGMENT_HEADER + SegmentLog.RECORD_HEADER + 1);
            f.write('X');
            f.setLength(f.length() - 3); // tear the last record ("row-99"), as a kill inside its write(2) does
        }

        Store up = new Store();
        try (BufferedWriter<String> second = writer(up, spool, 1_000, FullPolicy.BLOCK)) {
            second.flush();
            // The torn tail of the newest segment is an append that never returned: cut off, not counted as lost.
            assertThat(second.spoolStats().orElseThrow().lost()).isEqualTo(1);
            assertThat(second.spoolStats().orElseThrow().recovered()).isEqualTo(98);
            assertThat(up.stored()).isEqualTo(rows(1, 99));
        }
    }

    @Test
    void onlyTheNewestSegmentMayEndInAnUnfinishedAppendATornTailElsewhereIsLost() throws IOException {
        SpoolSettings spool = SpoolSettings.of(dir);
        for (int run = 0; run < 2; run++) { // each open starts a segment of its own
            try (SegmentLog log = SegmentLog.open(spool, "SPOOL_DIR")) {
                for (int i = 0; i < 10; i++) {
                    log.append(("run-" + run + "-row-" + i).getBytes(StandardCharsets.UTF_8), false);
                }
            } catch (SegmentLog.FullException e) {
                throw new AssertionError(e);
            }
        }
        List<Path> segments = segments();
        assertThat(segments).hasSize(2);
        for (Path segment : segments) {
            try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
                f.setLength(f.length() - 3); // each last record torn
            }
        }

        try (SegmentLog log = SegmentLog.open(spool, "SPOOL_DIR")) {
            SegmentLog.Recovery r = log.recovery();
            assertThat(r.records()).isEqualTo(18);
            assertThat(r.lostRecords()).as("the torn record of the older, sealed segment").isEqualTo(1);
            int torn = SegmentLog.RECORD_HEADER + "run-1-row-9".length() - 3;
            assertThat(r.lostBytes()).isEqualTo(torn);
            assertThat(r.unfinishedBytes()).as("the newest segment's unfinished append").isEqualTo(torn);
        }
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
        }
    }

    @Test
    void aSecondWriterOnTheSameDirectoryIsRefusedNamingSpoolDir() {
        SpoolSettings spool = SpoolSettings.of(dir);
        try (BufferedWriter<String> first = writer(new Store(), spool, 100, FullPolicy.BLOCK)) {
            assertThatThrownBy(() -> writer(new Store(), spool, 100, FullPolicy.BLOCK))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("SPOOL_DIR")
                    .hasMessageContaining(dir.toString())
                    .hasMessageContaining("process " + ProcessHandle.current().pid());
        }
        try (BufferedWriter<String> again = writer(new Store(), spool, 100, FullPolicy.BLOCK)) {
            assertThat(again.spoolStats()).isPresent(); // released by close()
        }
    }

    @Test
    void aFullSpoolAnswersWithThePolicyAndKeepsEveryAcknowledgedRow() {
        SpoolSettings spool = SpoolSettings.of(dir).withMaxBytes(SpoolSettings.MIN_MAX_BYTES);
        Store store = new Store();
        store.down = true;
        List<String> acknowledged = new ArrayList<>();
        try (BufferedWriter<String> w = writer(store, spool, 100, FullPolicy.REJECT)) {
            for (String row : rows(0, 100_000)) {
                try {
                    w.record(row);
                    acknowledged.add(row);
                } catch (BufferFullException full) {
                    assertThat(full).hasMessageContaining("SPOOL_MAX_BYTES is 65536");
                    break;
                }
            }
            assertThat(acknowledged.size()).isBetween(3_000, 6_000); // 64 KiB of ~17-byte records
            assertThat(w.spoolStats().orElseThrow().bytes()).isLessThanOrEqualTo(SpoolSettings.MIN_MAX_BYTES);
            store.down = false;
            w.flush();
            assertThat(store.stored()).isEqualTo(acknowledged);
            w.record("after"); // room again once stored rows are trimmed
        }
    }

    @Test
    void fsyncModeSyncsInGroupsAndKeepsEveryRow() {
        SpoolSettings spool = SpoolSettings.of(dir).withDurability(SpoolDurability.FSYNC)
                .withGroupCommit(Duration.ofMillis(2), 64);
        Store store = new Store();
        try (BufferedWriter<String> w = writer(store, spool, 100_000, FullPolicy.BLOCK)) {
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int from = t * 250;
                Thread thread = new Thread(() -> rows(from, from + 250).forEach(w::record));
                threads.add(thread);
                thread.start();
            }
            threads.forEach(t -> {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            });
            w.recordAll(rows(2_000, 3_000));
            w.flush();
            long fsyncs = w.spoolStats().orElseThrow().fsyncs();
            assertThat(fsyncs).isPositive().isLessThan(2_000); // grouped: far fewer syncs than rows
            assertThat(store.stored()).containsExactlyInAnyOrderElementsOf(rows(0, 3_000));
        }
    }

    @Test
    void spoolSettingsComeFromTheConfigurationAndBadValuesNameTheVariable() {
        assertThat(SpoolSettings.from(io.llmstore.core.config.StorageConfig.builder().build().settings(), "usage"))
                .as("no SPOOL_DIR: no spool").isEmpty();
        SpoolSettings s = SpoolSettings.from(io.llmstore.core.config.StorageConfig.builder()
                .set("SPOOL_DIR", dir.toString()).set("SPOOL_DURABILITY", "fsync").set("SPOOL_MAX_BYTES", "1048576")
                .build().settings(), "usage").orElseThrow();
        assertThat(s).isEqualTo(new SpoolSettings(dir.resolve("usage"), SpoolDurability.FSYNC, 1_048_576,
                SpoolSettings.DEFAULT_GROUP_COMMIT_INTERVAL, SpoolSettings.DEFAULT_GROUP_COMMIT_ROWS));
        assertThat(SpoolSettings.from(io.llmstore.core.config.StorageConfig.builder().set("SPOOL_DIR", dir.toString())
                .set("SPOOL_DURABILITY", "none").build().settings(), "usage")).as("none: no spool").isEmpty();

        assertThatThrownBy(() -> SpoolSettings.from(io.llmstore.core.config.StorageConfig.builder()
                .set("SPOOL_DIR", dir.toString()).set("SPOOL_DURABILITY", "sometimes").build().settings(), "usage"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("SPOOL_DURABILITY")
                .hasMessageContaining("one of fsync|os|none").hasMessageContaining("'sometimes'");
        assertThatThrownBy(() -> SpoolSettings.from(io.llmstore.core.config.StorageConfig.builder()
                .set("SPOOL_DIR", dir.toString()).set("SPOOL_MAX_BYTES", "1000").build().settings(), "usage"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("SPOOL_MAX_BYTES")
                .hasMessageContaining(">= 65536").hasMessageContaining("'1000'");
        assertThatThrownBy(() -> SpoolSettings.from(io.llmstore.core.config.StorageConfig.builder()
                .set("SPOOL_DIR", dir.toString()).set("SPOOL_GROUP_COMMIT_INTERVAL", "-1ms").build().settings(), "usage"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("SPOOL_GROUP_COMMIT_INTERVAL")
                .hasMessageContaining("'-1ms'");
        assertThat(SpoolSettings.from(io.llmstore.core.config.StorageConfig.builder()
                .set("SPOOL_DIR", dir.toString()).set("SPOOL_GROUP_COMMIT_INTERVAL", "0ms").build().settings(), "usage")
                .orElseThrow().groupCommitInterval()).isZero(); // 0 = sync each group at once
    }

    @Test
    void aRecordTheCodecCannotReadBackIsSkippedCountedAndTrimmedWithTheRest() {
        SpoolCodec<String> picky = new SpoolCodec<>() {
            @Override
            public byte[] encode(String row) {
                return UTF8.encode(row);
            }

            @Override
            public String decode(byte[] bytes) {
                String row = UTF8.decode(bytes);
                if (row.startsWith("bad")) {
                    throw new IllegalArgumentException("not a row of this codec: " + row);
                }
                return row;
            }
        };
        Store store = new Store();
        store.down = true;
        List<String> rows = rows(0, 100);
        rows.set(50, "bad-50"); // past the memory capacity: read back from disk, where decoding fails
        try (BufferedWriter<String> w = BufferedWriter.builder("span", store, (String r) -> r)
                .capacity(10).flushSize(10).flushInterval(Duration.ofMillis(20)).shutdownFlushTimeout(Duration.ZERO)
                .spool(SpoolSettings.of(dir), picky).build()) {
            rows.forEach(w::record);
            store.down = false;
            w.flush();
            List<String> expected = new ArrayList<>(rows);
            expected.remove("bad-50");
            assertThat(store.stored()).isEqualTo(expected);
            assertThat(w.spoolStats().orElseThrow().lost()).isEqualTo(1);
            assertThat(w.spoolStats().orElseThrow().pending()).isZero();
        }
        try (BufferedWriter<String> again = writer(new Store(), SpoolSettings.of(dir), 10, FullPolicy.BLOCK)) {
            assertThat(again.spoolStats().orElseThrow().recovered()).as("all trimmed at close").isZero();
        }
    }
}
