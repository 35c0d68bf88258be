package io.llmstore.core.buffer;

/**
 * When {@link BufferedWriter#record} returns, relative to the row's bytes in the spool ({@code SPOOL_DURABILITY}).
 */
public enum SpoolDurability {
    /**
     * The row is in the spool file and the file is forced to the disk ({@code fdatasync}) before {@code record()}
     * returns, by group commit: one sync serves every row appended since the previous one. Survives a JVM kill and a
     * power loss or kernel crash (as far as the disk honours a flush).
     */
    FSYNC,
    /**
     * The row is handed to the operating system ({@code write(2)}) before {@code record()} returns; the kernel writes
     * it to the disk later. Survives a JVM kill ({@code kill -9}, an OOM kill); a power loss or kernel crash may lose
     * the last seconds.
     */
    OS,
    /** No spool: rows live only in memory until stored (a JVM kill loses the buffer). */
    NONE
}
