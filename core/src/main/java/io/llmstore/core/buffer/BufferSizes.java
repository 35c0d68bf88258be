package io.llmstore.core.buffer;

import io.llmstore.core.config.Setting;
import io.llmstore.core.config.Settings;
import java.time.Duration;
import java.util.Objects;

/**
 * The three sizes every {@link BufferedWriter} is configured with, read from its own settings
 * ({@code USAGE_*}, {@code TRACE_*}, {@code OPERATION_*}, {@code GATEWAY_RECORD_*}) and checked in one place.
 *
 * @param capacity      most rows waiting, at least 1
 * @param flushSize     rows per batch, 1..capacity
 * @param flushInterval longest a row waits before a write starts, positive
 */
public record BufferSizes(int capacity, int flushSize, Duration flushInterval) {
    public BufferSizes {
        Objects.requireNonNull(flushInterval, "flushInterval");
    }

    /**
     * The sizes {@code s} sets.
     *
     * @throws io.llmstore.core.error.ConfigException naming the variable, the rule and the value: a capacity or flush
     *                                                size below 1, a flush size above the capacity, an interval that
     *                                                is not positive
     */
    public static BufferSizes from(Settings s, Setting capacity, Setting flushSize, Setting flushInterval) {
        int rows = s.intValue(capacity, 1);
        int batch = s.intValue(flushSize, 1);
        if (batch > rows) {
            throw s.invalid(flushSize, "<= " + capacity.name() + " (" + rows + ")");
        }
        Duration interval = s.duration(flushInterval);
        if (interval.isZero() || interval.isNegative()) {
            throw s.invalid(flushInterval, "a positive duration such as 1s");
        }
        return new BufferSizes(rows, batch, interval);
    }
}
