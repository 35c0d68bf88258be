package io.llmstore.core.buffer;

import io.llmstore.core.config.CoreSettings;
import io.llmstore.core.config.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Where and how a {@link BufferedWriter} spools its accepted rows to disk ({@code SPOOL_*}, docs/spool.md): each
 * writer kind uses its own directory {@code <SPOOL_DIR>/<kind>}, held by one process at a time.
 *
 * @param dir                 the writer's spool directory (created when missing)
 * @param durability          when {@code record()} returns; {@link SpoolDurability#NONE} is refused here (no spool)
 * @param maxBytes            most bytes of spool files at once (>= 64 KiB); past it the writer's full policy applies
 * @param groupCommitInterval {@link SpoolDurability#FSYNC}: longest a group gathers rows before its sync starts (>= 0; it starts sooner once as large as the last group)
 * @param groupCommitRows     {@link SpoolDurability#FSYNC}: rows that start a sync without gathering longer (>= 1)
 */
public record SpoolSettings(Path dir, SpoolDurability durability, long maxBytes, Duration groupCommitInterval,
                            int groupCommitRows) {
    /** Defaults, as documented in docs/configuration.md. */
    public static final SpoolDurability DEFAULT_DURABILITY = SpoolDurability.OS;
    public static final long DEFAULT_MAX_BYTES = 1L << 30;
    public static final Duration DEFAULT_GROUP_COMMIT_INTERVAL = Duration.ofMillis(1);
    public static final int DEFAULT_GROUP_COMMIT_ROWS = 1_000;
    /** Smallest {@code maxBytes}: a few segments' worth. */
    public static final long MIN_MAX_BYTES = 64 * 1024;

    public SpoolSettings {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(durability, "durability");
        if (durability == SpoolDurability.NONE) {
            throw new IllegalArgumentException("durability must be fsync or os for a spool, was none (none = no spool)");
        }
        if (maxBytes < MIN_MAX_BYTES) {
            throw new IllegalArgumentException("maxBytes must be >= " + MIN_MAX_BYTES + ", was " + maxBytes);
        }
        if (groupCommitInterval == null || groupCommitInterval.isNegative()) {
            throw new IllegalArgumentException("groupCommitInterval must be >= 0, was " + groupCommitInterval);
        }
        if (groupCommitRows < 1) {
            throw new IllegalArgumentException("groupCommitRows must be >= 1, was " + groupCommitRows);
        }
    }

    /** A spool in {@code dir} with the default durability, size bound and group commit. */
    public static SpoolSettings of(Path dir) {
        return new SpoolSettings(dir, DEFAULT_DURABILITY, DEFAULT_MAX_BYTES, DEFAULT_GROUP_COMMIT_INTERVAL,
                DEFAULT_GROUP_COMMIT_ROWS);
    }

    public SpoolSettings withDurability(SpoolDurability mode) {
        return new SpoolSettings(dir, mode, maxBytes, groupCommitInterval, groupCommitRows);
    }

    public SpoolSettings withMaxBytes(long bytes) {
        return new SpoolSettings(dir, durability, bytes, groupCommitInterval, groupCommitRows);
    }

    public SpoolSettings withGroupCommit(Duration interval, int rows) {
        return new SpoolSettings(dir, durability, maxBytes, interval, rows);
    }

    /**
     * The spool of the writer of {@code kind} from {@code SPOOL_DIR}, {@code SPOOL_DURABILITY}, {@code SPOOL_MAX_BYTES},
     * {@code SPOOL_GROUP_COMMIT_INTERVAL} and {@code SPOOL_GROUP_COMMIT_ROWS}: empty when {@code SPOOL_DIR} is unset or
     * {@code SPOOL_DURABILITY} is {@code none}. The directory is {@code <SPOOL_DIR>/<kind>}.
     *
     * @throws io.llmstore.core.error.ConfigException naming the variable, the rule and the value
     */
    public static Optional<SpoolSettings> from(Settings s, String kind) {
        SpoolDurability mode = s.enumValue(CoreSettings.SPOOL_DURABILITY, SpoolDurability.class);
        Optional<String> dir = s.string(CoreSettings.SPOOL_DIR);
        if (dir.isEmpty() || mode == SpoolDurability.NONE) {
            return Optional.empty();
        }
        long maxBytes = s.longValue(CoreSettings.SPOOL_MAX_BYTES, MIN_MAX_BYTES);
        Duration interval = s.duration(CoreSettings.SPOOL_GROUP_COMMIT_INTERVAL);
        int rows = s.intValue(CoreSettings.SPOOL_GROUP_COMMIT_ROWS, 1);
        Path root;
        try {
            root = Path.of(dir.get());
        } catch (RuntimeException e) {
            throw s.invalid(CoreSettings.SPOOL_DIR, "a directory path");
        }
        return Optional.of(new SpoolSettings(root.resolve(kind), mode, maxBytes, interval, rows));
    }
}
