package io.llmstore.core.buffer;

import io.llmstore.core.error.ConfigException;
import io.llmstore.core.error.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append-only log under a {@link SpoolSettings#dir() spool directory}: numbered segment files of length-prefixed,
 * CRC32C-checked records (the format is in docs/spool.md), a lock file that admits one process, group commit for
 * {@link SpoolDurability#FSYNC}, a read cursor for rows not yet in memory, and trimming of stored records.
 *
 * <p>Records are numbered by a sequence: the records found at {@link #open} are {@code 0 .. recovered-1}, in file
 * order, and each {@link #append} takes the next number. The caller trims with a watermark: every record below it is
 * stored. Thread-safe: appends, reads and trims are serialized on this object; {@link #awaitDurable} waits outside it.
 *
 * <p>Public for the library's writers that keep their own queue in memory ({@link BufferedWriter}, and the Kafka event
 * publisher, which trims below the prefix of records the broker acknowledged); not an application API.
 */
public final class SegmentLog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SegmentLog.class);

    static final byte[] MAGIC = "LLMSPOOL".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    /** Segment header: magic (8 bytes) + format version (int). */
    static final int SEGMENT_HEADER = MAGIC.length + 4;
    /** Record header: payload length (int) + CRC32C of the length's 4 bytes and the payload (int). */
    static final int RECORD_HEADER = 8;
    /** Largest payload: a bigger length in a header can only be a torn or corrupt one. */
    static final int MAX_PAYLOAD = 16 * 1024 * 1024;
    static final String LOCK_FILE = "spool.lock";
    static final String SEGMENT_SUFFIX = ".seg";
    /** A drained segment this large is replaced by a fresh one, so a restart replays little that was stored. */
    private static final long ROLL_WHEN_DRAINED = 64 * 1024;

    /** Thrown by {@link #append} when the record does not fit: {@code SPOOL_MAX_BYTES}, or the disk is full. */
    public static final class FullException extends Exception {
        FullException(String message) {
            super(message, null, false, false);
        }
    }

    private static final class Segment {
        final long number;
        final Path path;
        final long firstSeq;
        long records;
        long bytes;
        FileChannel writer; // the active segment's; null when sealed or recovered

        Segment(long number, Path path, long firstSeq) {
            this.number = number;
            this.path = path;
            this.firstSeq = firstSeq;
        }

        long endSeq() {
            return firstSeq + records;
        }
    }

    /**
     * What opening found.
     *
     * @param records         records to replay
     * @param bytes           their segments' bytes
     * @param lostRecords     records found corrupt, or torn inside a segment that was complete (their rows are lost)
     * @param lostBytes       the bytes of those
     * @param unfinishedBytes bytes of an append the last writer did not finish (killed inside its {@code write(2)}),
     *                        cut off the end of the newest segment: that append never returned, so its row was never
     *                        acknowledged and nothing is lost
     */
    public record Recovery(long records, long bytes, long lostRecords, long lostBytes, long unfinishedBytes) {
    }

    private final SpoolSettings settings;
    private final String variable; // SPOOL_DIR, for messages
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final long segmentBytes;
    private final ArrayDeque<Segment> segments = new ArrayDeque<>();
    private final Recovery recovery;
    private final CRC32C crc = new CRC32C(); // guarded by this
    private ByteBuffer writeBuffer = ByteBuffer.allocateDirect(64 * 1024); // guarded by this
    private Segment active;
    private long nextNumber;
    private long nextSeq;
    private long totalBytes;
    // The read cursor: the next record not yet handed to memory.
    private long readSeq;
    private Segment readSegment;
    private long readOffset;
    private FileChannel readChannel;
    private long lostRecords;
    private long lostBytes;
    private long unfinishedBytes;

    // Group commit (FSYNC): records below syncedSeq are on the disk.
    private final Object durable = new Object();
    private final Object syncerWake = new Object();
    private volatile long appendedSeq; // nextSeq, readable without the log's lock
    private long syncedSeq; // guarded by durable
    private volatile long syncedHint; // syncedSeq, readable without the monitor
    private IOException syncFailure; // guarded by durable
    private volatile boolean syncerIdle;
    private volatile boolean closed;
    private volatile long fsyncs;
    private final Thread syncer;

    private SegmentLog(SpoolSettings settings, String variable, FileChannel lockChannel, FileLock lock,
                       long segmentBytes) throws IOException {
        this.settings = settings;
        this.variable = variable;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.segmentBytes = segmentBytes;
        this.recovery = recover();
        this.appendedSeq = nextSeq;
        this.syncedSeq = nextSeq;
        if (settings.durability() == SpoolDurability.FSYNC) {
            syncer = new Thread(this::runSyncer, "llmstore-spool-sync-" + settings.dir().getFileName());
            syncer.setDaemon(true);
            syncer.start();
        } else {
            syncer = null;
        }
    }

    /**
     * Largest segment by default: a writer under steady load is never drained, so its segments are trimmed (and, after
     * a kill, replayed) a whole segment at a time; 4 MiB is ~22,000 usage rows, a fraction of a second of replay.
     */
    private static final long DEFAULT_SEGMENT_BYTES = 4L * 1024 * 1024;

    /**
     * Opens (creating) the directory, takes its lock and scans its segments: valid records become the replay, a torn
     * tail is cut off, and each loss is counted (and logged at WARN).
     *
     * @param variable the setting naming the directory in errors ({@code SPOOL_DIR})
     * @throws ConfigException when another process (or another writer in this JVM) holds the directory, or it cannot
     *                         be created
     */
    public static SegmentLog open(SpoolSettings settings, String variable) {
        return open(settings, variable, Math.min(DEFAULT_SEGMENT_BYTES, settings.maxBytes() / 8));
    }

    /**
     * As {@link #open(SpoolSettings, String)}, sealing segments past {@code segmentBytes} (at least 64 KiB) instead
     * of {@code min(4 MiB, maxBytes / 8)}: a writer that is never drained under load (a publisher always has events
     * in flight) trims, and replays after a kill, in steps of this size.
     */
    public static SegmentLog open(SpoolSettings settings, String variable, long segmentBytes) {
        long segment = Math.max(64 * 1024, segmentBytes);
        Path dir = settings.dir();
        FileChannel channel = null;
        try {
            Files.createDirectories(dir);
            channel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException sameJvm) {
                lock = null;
            }
            if (lock == null) {
                String holder = holder(channel);
                channel.close();
                throw new ConfigException(variable + ": the spool directory " + dir + " is in use by another writer ("
                        + holder + " holds " + dir.resolve(LOCK_FILE) + "); give each process its own " + variable);
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            return new SegmentLog(settings, variable, channel, lock, segment);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new ConfigException(variable + ": cannot open the spool directory " + dir + ": " + e, e);
        }
    }

    private static String holder(FileChannel channel) {
        try {
            ByteBuffer b = ByteBuffer.allocate(32);
            channel.read(b, 0);
            String pid = new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).trim();
            return pid.isEmpty() ? "a process" : "process " + pid;
        } catch (IOException e) {
            return "a process";
        }
    }

    /** What {@link #open} found. */
    public Recovery recovery() {
        return recovery;
    }

    private Recovery recover() throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(settings.dir(), "*" + SEGMENT_SUFFIX)) {
            ds.forEach(files::add);
        }
        files.sort(null); // zero-padded numbers: name order is number order
        long bytes = 0;
        for (int i = 0; i < files.size(); i++) {
            Path file = files.get(i);
            long number;
            try {
                String name = file.getFileName().toString();
                number = Long.parseLong(name.substring(0, name.length() - SEGMENT_SUFFIX.length()));
            } catch (NumberFormatException e) {
                continue; // not ours
            }
            nextNumber = Math.max(nextNumber, number + 1);
            Segment s = new Segment(number, file, nextSeq);
            scan(s, i == files.size() - 1);
            if (s.records == 0) {
                Files.deleteIfExists(file);
                continue;
            }
            segments.add(s);
            nextSeq = s.endSeq();
            totalBytes += s.bytes;
            bytes += s.bytes;
        }
        if (lostBytes > 0) {
            log.warn("spool {}: skipped {} corrupt or torn record(s), {} bytes, not recoverable (their rows are lost); "
                    + "{} intact rows will be written", settings.dir(), Math.max(1, lostRecords), lostBytes, nextSeq);
        }
        if (unfinishedBytes > 0) {
            log.info("spool {}: cut off {} bytes of an append the last writer did not finish (it was stopped inside the"
                    + " write; that append never returned, so no acknowledged row is lost)", settings.dir(), unfinishedBytes);
        }
        if (nextSeq > 0) {
            log.info("spool {}: {} rows ({} bytes) from an earlier run to write", settings.dir(), nextSeq, bytes);
        }
        return new Recovery(nextSeq, bytes, lostBytes > 0 ? Math.max(1, lostRecords) : 0, lostBytes, unfinishedBytes);
    }

    /**
     * Counts the valid records of a recovered segment and cuts a torn tail off. Only the newest segment can end in an
     * unfinished append (every process starts a segment of its own, and a sealed segment was complete): a torn tail
     * there, or a header shorter than {@link #SEGMENT_HEADER} (a kill between creating the file and writing it), is an
     * append that never returned; anywhere else it is damage, and lost.
     */
    private void scan(Segment s, boolean newest) throws IOException {
        try (FileChannel ch = FileChannel.open(s.path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            if (!validHeader(ch, size)) {
                if (newest && size <= SEGMENT_HEADER) {
                    unfinishedBytes += size;
                } else {
                    lostBytes += size;
                    lostRecords += size > SEGMENT_HEADER ? 1 : 0;
                }
                s.bytes = 0;
                return;
            }
            long offset = SEGMENT_HEADER;
            while (true) {
                Read r = readRecord(ch, offset, size);
                if (r.kind == Read.Kind.END) {
                    break;
                }
                if (r.kind == Read.Kind.TORN) {
                    if (newest) {
                        unfinishedBytes += size - offset;
                    } else {
                        lostRecords++;
                        lostBytes += size - offset;
                    }
                    ch.truncate(offset);
                    break;
                }
                if (r.kind == Read.Kind.CORRUPT) {
                    lostRecords++;
                    lostBytes += r.next - offset;
                } else {
                    s.records++;
                }
                offset = r.next;
            }
            s.bytes = offset;
        }
    }

    private static boolean validHeader(FileChannel ch, long size) throws IOException {
        if (size < SEGMENT_HEADER) {
            return false;
        }
        ByteBuffer h = ByteBuffer.allocate(SEGMENT_HEADER);
        readFully(ch, h, 0);
        return Arrays.equals(Arrays.copyOf(h.array(), MAGIC.length), MAGIC) && h.getInt(MAGIC.length) == VERSION;
    }

    /** One record at {@code offset}: a payload, a corrupt record to skip, a torn tail, or the end. */
    private record Read(Kind kind, byte[] payload, long next) {
        enum Kind { OK, CORRUPT, TORN, END }
    }

    private Read readRecord(FileChannel ch, long offset, long size) throws IOException {
        if (offset == size) {
            return new Read(Read.Kind.END, null, offset);
        }
        if (offset + RECORD_HEADER > size) {
            return new Read(Read.Kind.TORN, null, size);
        }
        ByteBuffer header = ByteBuffer.allocate(RECORD_HEADER);
        readFully(ch, header, offset);
        int length = header.getInt(0);
        int expected = header.getInt(4);
        if (length < 0 || length > MAX_PAYLOAD || offset + RECORD_HEADER + length > size) {
            return new Read(Read.Kind.TORN, null, size);
        }
        ByteBuffer payload = ByteBuffer.allocate(length);
        readFully(ch, payload, offset + RECORD_HEADER);
        long next = offset + RECORD_HEADER + length;
        return checksum(length, payload.array()) == expected ? new Read(Read.Kind.OK, payload.array(), next)
                : new Read(Read.Kind.CORRUPT, null, next);
    }

    private int checksum(int length, byte[] payload) {
        synchronized (crc) {
            crc.reset();
            crc.update(length >>> 24);
            crc.update(length >>> 16);
            crc.update(length >>> 8);
            crc.update(length);
            crc.update(payload, 0, payload.length);
            return (int) crc.getValue();
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long position) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b, position + b.position()) < 0) {
                throw new IOException("unexpected end of file");
            }
        }
    }

    /**
     * Appends one record and returns its sequence number. When this returns, the record is in the operating system's
     * page cache ({@code write(2)}); under {@link SpoolDurability#FSYNC} {@link #awaitDurable} waits for the disk.
     *
     * @throws FullException            when the record would pass {@code maxBytes} or the disk has no room (nothing
     *                                  written)
     * @throws IllegalArgumentException when the payload is larger than {@link #MAX_PAYLOAD}
     * @param inMemory true when the caller keeps the row in memory from here on, so the read cursor passes it (only
     *                 when nothing older waits unread)
     * @throws StorageException         on any other I/O failure (nothing appended)
     */
    public synchronized long append(byte[] payload, boolean inMemory) throws FullException {
        if (closed) {
            throw new IllegalStateException("the spool " + settings.dir() + " is closed");
        }
        if (payload.length > MAX_PAYLOAD) {
            throw new IllegalArgumentException("a spooled row must be at most " + MAX_PAYLOAD + " bytes, was " + payload.length);
        }
        int size = RECORD_HEADER + payload.length;
        if (totalBytes + size > settings.maxBytes()) {
            throw new FullException("spool " + settings.dir() + " holds " + totalBytes + " bytes, SPOOL_MAX_BYTES is "
                    + settings.maxBytes());
        }
        try {
            if (active == null || (active.records > 0 && active.bytes + size > segmentBytes)) {
                roll();
            }
            if (writeBuffer.capacity() < size) {
                writeBuffer = ByteBuffer.allocateDirect(Integer.highestOneBit(size) << 1);
            }
            ByteBuffer b = writeBuffer.clear();
            b.putInt(payload.length).putInt(checksum(payload.length, payload)).put(payload).flip();
            long at = active.bytes;
            try {
                while (b.hasRemaining()) {
                    active.writer.write(b, at + b.position());
                }
            } catch (IOException e) {
                active.writer.truncate(at); // never leave half a record behind an acknowledged one
                throw e;
            }
            active.bytes += size;
        } catch (IOException e) {
            if (isDiskFull(e)) {
                throw new FullException("the disk of spool " + settings.dir() + " is full (" + e.getMessage() + ")");
            }
            throw new StorageException("writing to the spool " + settings.dir() + " (" + variable + ") failed: " + e, e, false);
        }
        active.records++;
        totalBytes += size;
        long seq = nextSeq++;
        appendedSeq = nextSeq;
        if (inMemory && readSeq == seq) {
            if (readSegment != active) {
                closeQuietly(readChannel);
                readChannel = null;
                readSegment = active;
            }
            readSeq = nextSeq;
            readOffset = active.bytes;
        }
        if (syncer != null && (syncerIdle || appendedSeq - syncedHint >= settings.groupCommitRows())) {
            synchronized (syncerWake) {
                syncerWake.notifyAll();
            }
        }
        return seq;
    }

    private static boolean isDiskFull(IOException e) {
        String m = e.getMessage();
        return m != null && (m.contains("No space left") || m.contains("Disk quota exceeded"));
    }

    /** Seals the active segment (forcing it under FSYNC) and starts the next; caller holds this. */
    private void roll() throws IOException {
        sealActive(true);
        long number = nextNumber++;
        Path path = settings.dir().resolve(String.format("%020d%s", number, SEGMENT_SUFFIX));
        Segment s = new Segment(number, path, nextSeq);
        s.writer = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.READ);
        try {
            ByteBuffer h = ByteBuffer.allocate(SEGMENT_HEADER).put(MAGIC).putInt(VERSION).flip();
            while (h.hasRemaining()) {
                s.writer.write(h, h.position());
            }
            if (settings.durability() == SpoolDurability.FSYNC) {
                s.writer.force(true);
                forceDirectory(); // the new file's name must survive a power loss too
            }
        } catch (IOException e) {
            closeQuietly(s.writer);
            Files.deleteIfExists(path);
            throw e;
        }
        s.bytes = SEGMENT_HEADER;
        totalBytes += SEGMENT_HEADER;
        segments.add(s);
        active = s;
    }

    private void sealActive(boolean force) throws IOException {
        if (active == null) {
            return;
        }
        if (force && settings.durability() == SpoolDurability.FSYNC) {
            active.writer.force(false);
            markSynced(nextSeq);
        }
        closeQuietly(active.writer);
        active.writer = null;
        active = null;
    }

    private void forceDirectory() {
        try (FileChannel dir = FileChannel.open(settings.dir(), StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            log.debug("fsync of directory {} not supported: {}", settings.dir(), e.toString());
        }
    }

    /**
     * Waits until the record {@code seq} is on the disk (returns at once unless {@link SpoolDurability#FSYNC}).
     *
     * @throws StorageException when the sync failed (the row is still in memory and will be written, but a power
     *                          loss may lose it)
     */
    public void awaitDurable(long seq) {
        if (syncer == null) {
            return;
        }
        synchronized (durable) {
            while (syncedSeq <= seq && syncFailure == null && !closed) {
                try {
                    durable.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new StorageException("interrupted while waiting for the spool's fsync", e, false);
                }
            }
            if (syncedSeq <= seq && syncFailure != null) {
                throw new StorageException("fsync of the spool " + settings.dir() + " failed (the row is buffered and"
                        + " will be written, but is not safe from a power loss): " + syncFailure, syncFailure, false);
            }
        }
    }

    private void markSynced(long seq) {
        synchronized (durable) {
            if (seq > syncedSeq) {
                syncedSeq = seq;
                syncedHint = seq;
                durable.notifyAll();
            }
        }
    }

    private void runSyncer() {
        long intervalNanos = settings.groupCommitInterval().toNanos();
        long lastGroup = 1; // rows of the last sync
        try {
            while (!closed) {
                synchronized (syncerWake) {
                    while (true) {
                        syncerIdle = true; // before the check: an appender that misses it sees the flag and wakes us
                        if (closed || appendedSeq > syncedHint) {
                            break;
                        }
                        syncerWake.wait(100);
                    }
                    syncerIdle = false;
                }
                // Gather the group: callers wait for their fsync right after appending, so a group as large as the
                // last one has (in steady load) every caller of the last one again; sync then, once groupCommitRows
                // rows wait, or groupCommitInterval after the group's first row was seen, whichever comes first.
                long expected = Math.min(Math.max(1, lastGroup), settings.groupCommitRows());
                long deadline = System.nanoTime() + intervalNanos;
                while (!closed && appendedSeq - syncedHint < expected && deadline - System.nanoTime() > 0) {
                    Thread.yield(); // lets the callers the last sync woke append their next rows
                }
                long target;
                FileChannel channel;
                synchronized (this) {
                    target = nextSeq;
                    channel = active == null ? null : active.writer;
                }
                if (channel != null) {
                    try {
                        channel.force(false);
                        fsyncs++;
                    } catch (ClosedChannelException rolledOrTrimmed) {
                        // The segment was sealed (forced then) or trimmed (its rows are stored): nothing to sync.
                    } catch (IOException e) {
                        synchronized (durable) {
                            syncFailure = e;
                            durable.notifyAll();
                        }
                        log.error("spool {}: fsync failed: {}", settings.dir(), e.toString());
                        continue;
                    }
                }
                synchronized (durable) {
                    syncFailure = null;
                }
                lastGroup = target - syncedHint;
                markSynced(target);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Up to {@code max} records from the read cursor (the oldest records not yet handed out), in order; fewer (or
     * none) when the cursor reaches the end. A corrupt record on the way is skipped and counted.
     */
    public synchronized List<byte[]> read(int max) {
        List<byte[]> out = new ArrayList<>(Math.min(max, 1024));
        try {
            while (out.size() < max && readSeq < nextSeq) {
                if (readSegment == null || readSeq >= readSegment.endSeq()) {
                    nextReadSegment();
                } else if (readChannel == null) {
                    readChannel = FileChannel.open(readSegment.path, StandardOpenOption.READ);
                }
                Read r = readRecord(readChannel, readOffset, readSegment.bytes);
                if (r.kind == Read.Kind.OK) {
                    out.add(r.payload);
                    readSeq++;
                } else if (r.kind != Read.Kind.CORRUPT) { // a corrupt record was counted at open: skip it
                    throw new IOException("spool segment " + readSegment.path + " ends before its " + readSegment.records
                            + " records");
                }
                readOffset = r.next;
            }
        } catch (IOException e) {
            throw new StorageException("reading the spool " + settings.dir() + " failed: " + e, e, false);
        }
        return out;
    }

    private void nextReadSegment() throws IOException {
        closeQuietly(readChannel);
        readChannel = null;
        Segment next = null;
        for (Segment s : segments) {
            if (s.endSeq() > readSeq && s.records > 0) {
                next = s;
                break;
            }
        }
        if (next == null) {
            throw new IOException("no spool segment holds record " + readSeq);
        }
        readSegment = next;
        readOffset = SEGMENT_HEADER;
        readChannel = FileChannel.open(next.path, StandardOpenOption.READ);
    }

    /** Sequence number of the next record {@link #read} hands out (records it returns are numbered on from it). */
    public synchronized long nextUnread() {
        return readSeq;
    }

    /** True while records wait on the disk that were not handed out by {@link #read}. */
    public synchronized boolean hasUnread() {
        return readSeq < nextSeq;
    }

    /**
     * Deletes every segment whose records are all below {@code watermark} (stored); a drained active segment of
     * some size is replaced, so the next start replays little.
     */
    public synchronized void trimBelow(long watermark) {
        trimBelow(watermark, false);
    }

    /** {@link #trimBelow(long)}; {@code evenSmall}: also a drained active segment of any size (at close). */
    public synchronized void trimBelow(long watermark, boolean evenSmall) {
        while (!segments.isEmpty()) {
            Segment head = segments.peekFirst();
            boolean drained = head.endSeq() <= watermark && head.records > 0;
            if (!drained) {
                break;
            }
            if (head == active) {
                if (head.bytes < Math.min(ROLL_WHEN_DRAINED, settings.maxBytes() / 16) && !evenSmall) {
                    break;
                }
                try {
                    sealActive(false);
                } catch (IOException e) {
                    break;
                }
                markSynced(nextSeq); // its rows are stored: nobody needs its fsync any more
            }
            segments.removeFirst();
            if (readSegment == head) {
                closeQuietly(readChannel);
                readChannel = null;
                readSegment = null;
            }
            totalBytes -= head.bytes;
            try {
                Files.deleteIfExists(head.path);
            } catch (IOException e) {
                log.warn("spool {}: cannot delete the stored segment {}: {}", settings.dir(), head.path, e.toString());
            }
        }
    }

    /** Bytes of spool files now (header and stored-but-not-yet-trimmed records included). */
    public synchronized long bytes() {
        return totalBytes;
    }

    /** Sequence number the next append gets (= records appended or recovered since open). */
    public long appended() {
        return appendedSeq;
    }

    /** Records on the disk not yet handed out by {@link #read}. */
    public synchronized long unread() {
        return nextSeq - readSeq;
    }

    public long fsyncs() {
        return fsyncs;
    }

    public SpoolSettings settings() {
        return settings;
    }

    /** Syncs (FSYNC), closes the files and releases the lock; the spool files stay for the next open. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            try {
                sealActive(true);
            } catch (IOException e) {
                log.warn("spool {}: final sync failed: {}", settings.dir(), e.toString());
            }
            closeQuietly(readChannel);
        }
        if (syncer != null) {
            synchronized (syncerWake) {
                syncerWake.notifyAll();
            }
            synchronized (durable) {
                durable.notifyAll();
            }
            try {
                syncer.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            lock.release();
        } catch (IOException e) {
            log.debug("spool lock release: {}", e.toString());
        }
        closeQuietly(lockChannel);
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            // closing after a failure: nothing more to do
        }
    }
}
