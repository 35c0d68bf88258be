package io.llmstore.timescale.internal;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.UUID;

/**
 * A reusable UTF-8 byte buffer of rows in PostgreSQL's COPY text format (tab-separated, {@code \N} for NULL,
 * backslash escapes for backslash, tab, newline and carriage return), with one encoder per field type. A feature's
 * row encoder extends it and appends its columns in its COPY statement's order ({@code CopyTextEncoder} for usage
 * rows, {@code SpanCopyEncoder} for spans). Not thread-safe: one per batch.
 */
public class CopyTextBuffer {
    private byte[] buf;
    private int len;

    protected CopyTextBuffer(int initialCapacity) {
        buf = new byte[Math.max(1024, initialCapacity)];
    }

    /** The encoded bytes, valid up to {@link #length()}. */
    public final byte[] buffer() {
        return buf;
    }

    /** Bytes encoded since the last {@link #reset()}. */
    public final int length() {
        return len;
    }

    /** Starts over, keeping the buffer. */
    public final void reset() {
        len = 0;
    }

    /** Ends a row. */
    public final void newline() {
        put((byte) '\n');
    }

    /** Separates two columns. */
    public final void tab() {
        put((byte) '\t');
    }

    /** A NULL column. */
    public final void nul() {
        ensure(2);
        buf[len++] = '\\';
        buf[len++] = 'N';
    }

    /** A whole number, or NULL. */
    public final void optionalNumber(Long v) {
        if (v == null) {
            nul();
        } else {
            number(v);
        }
    }

    /** A whole number. */
    public final void number(long v) {
        ascii(Long.toString(v));
    }

    /** Text known to be ASCII with nothing to escape (numbers, ISO times); sent as is. */
    public final void ascii(String s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            buf[len++] = (byte) s.charAt(i);
        }
    }

    /** Text with COPY escapes, encoded as UTF-8 (surrogate pairs combined; a lone surrogate becomes '?'). */
    public final void text(String s) {
        if (s == null) {
            nul();
            return;
        }
        int n = s.length();
        ensure(n * 2);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                switch (c) {
                    case '\\' -> {
                        ensure(2);
                        buf[len++] = '\\';
                        buf[len++] = '\\';
                    }
                    case '\t' -> {
                        ensure(2);
                        buf[len++] = '\\';
                        buf[len++] = 't';
                    }
                    case '\n' -> {
                        ensure(2);
                        buf[len++] = '\\';
                        buf[len++] = 'n';
                    }
                    case '\r' -> {
                        ensure(2);
                        buf[len++] = '\\';
                        buf[len++] = 'r';
                    }
                    default -> put((byte) c);
                }
            } else if (c < 0x800) {
                ensure(2);
                buf[len++] = (byte) (0xC0 | (c >> 6));
                buf[len++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                ensure(4);
                buf[len++] = (byte) (0xF0 | (cp >> 18));
                buf[len++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                buf[len++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                buf[len++] = (byte) (0x80 | (cp & 0x3F));
            } else if (Character.isSurrogate(c)) {
                put((byte) '?');
            } else {
                ensure(3);
                buf[len++] = (byte) (0xE0 | (c >> 12));
                buf[len++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                buf[len++] = (byte) (0x80 | (c & 0x3F));
            }
        }
    }

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    /** A UUID in its canonical form. */
    public final void uuid(UUID id) {
        ensure(36);
        long hi = id.getMostSignificantBits();
        long lo = id.getLeastSignificantBits();
        hex(hi >>> 32, 8);
        buf[len++] = '-';
        hex(hi >>> 16, 4);
        buf[len++] = '-';
        hex(hi, 4);
        buf[len++] = '-';
        hex(lo >>> 48, 4);
        buf[len++] = '-';
        hex(lo, 12);
    }

    private void hex(long v, int digits) {
        for (int i = digits - 1; i >= 0; i--) {
            buf[len + i] = HEX[(int) (v & 0xF)];
            v >>>= 4;
        }
        len += digits;
    }

    /** {@code yyyy-MM-dd HH:mm:ss.ffffff+00}; years outside 1..9999 fall back to ISO text. */
    public final void timestamp(Instant t) {
        LocalDateTime d = LocalDateTime.ofEpochSecond(t.getEpochSecond(), t.getNano(), ZoneOffset.UTC);
        int year = d.getYear();
        if (year < 1 || year > 9999) {
            ascii(t.toString());
            return;
        }
        ensure(32);
        digits(year, 4);
        buf[len++] = '-';
        digits(d.getMonthValue(), 2);
        buf[len++] = '-';
        digits(d.getDayOfMonth(), 2);
        buf[len++] = ' ';
        digits(d.getHour(), 2);
        buf[len++] = ':';
        digits(d.getMinute(), 2);
        buf[len++] = ':';
        digits(d.getSecond(), 2);
        int micros = t.getNano() / 1000;
        if (micros != 0) {
            buf[len++] = '.';
            digits(micros, 6);
        }
        buf[len++] = '+';
        buf[len++] = '0';
        buf[len++] = '0';
    }

    private void digits(int v, int width) {
        for (int i = width - 1; i >= 0; i--) {
            buf[len + i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        len += width;
    }

    /** One byte as is. */
    public final void put(byte b) {
        ensure(1);
        buf[len++] = b;
    }

    private void ensure(int extra) {
        if (len + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
        }
    }
}
