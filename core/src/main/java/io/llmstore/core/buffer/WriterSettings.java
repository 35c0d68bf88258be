package io.llmstore.core.buffer;

import io.llmstore.core.config.Setting;
import io.llmstore.core.config.Settings;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What configures one {@link BufferedWriter} from the settings: its sizes, how long the JVM's shutdown hook waits
 * for its last rows, and its spool. Applied with {@link BufferedWriter.Builder#configure}.
 *
 * @param sizes                capacity, flush size and flush interval
 * @param shutdownFlushTimeout how long the JVM's shutdown hook waits for the last rows; 0 = no hook
 * @param spool                where accepted rows are spooled; empty = no spool
 */
public record WriterSettings(BufferSizes sizes, Duration shutdownFlushTimeout, Optional<SpoolSettings> spool) {
    public WriterSettings {
        Objects.requireNonNull(sizes, "sizes");
        Objects.requireNonNull(shutdownFlushTimeout, "shutdownFlushTimeout");
        Objects.requireNonNull(spool, "spool");
    }

    /**
     * The writer's settings from {@code s}: its three size settings, and the spool in {@code <SPOOL_DIR>/spoolKind}.
     *
     * @throws io.llmstore.core.error.ConfigException naming the variable, the rule and the value
     */
    public static WriterSettings from(Settings s, Setting capacity, Setting flushSize, Setting flushInterval,
                                      Duration shutdownFlushTimeout, String spoolKind) {
        return new WriterSettings(BufferSizes.from(s, capacity, flushSize, flushInterval), shutdownFlushTimeout,
                SpoolSettings.from(s, spoolKind));
    }
}
