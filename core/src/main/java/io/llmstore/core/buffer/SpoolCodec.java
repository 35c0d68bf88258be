package io.llmstore.core.buffer;

/**
 * Turns a row into the bytes of one spool record and back. {@code decode(encode(row))} must equal {@code row} for
 * every row the writer's admission returns, and a codec must read what an earlier version of itself wrote (a spool
 * outlives a deployment). Stateless and thread-safe: {@link #encode} runs on the recording threads, {@link #decode}
 * on the flusher.
 *
 * @param <T> the row type
 */
public interface SpoolCodec<T> {
    /** The row's bytes; never null. */
    byte[] encode(T row);

    /**
     * The row {@code bytes} hold.
     *
     * @throws IllegalArgumentException when the bytes are not a row of this codec (the record is skipped and
     *                                  counted as lost)
     */
    T decode(byte[] bytes);
}
