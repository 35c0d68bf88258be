package io.llmstore.timescale.usage;

import io.llmstore.core.usage.UsageMetric;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.UUID;

/**
 * Encodes usage rows in PostgreSQL's COPY text format (tab-separated, {@code \N} for NULL, backslash escapes for
 * backslash, tab, newline and carriage return), straight into a reusable UTF-8 byte buffer. Column order is
 * {@link #COLUMNS}. Not thread-safe: one per batch.
 */
final class CopyTextEncoder {
    /** The column list of the COPY statement, in encoding order. */
    public static final String COLUMNS = "time, model_id, provider, request_count, token_input, token_output, "
            + "token_total, cost_usd, avg_latency_ms, error_count, success_count, user_id, application_id, "
            + "environment, metadata, event_id, token_cache_read, token_cache_write, token_reasoning, price_source, "
            + "usage_source, time_to_first_token_ms, finish_reason, cost_saved_usd";

    private byte[] buf;
    private int len;

    public CopyTextEncoder(int initialCapacity) {
        buf = new byte[Math.max(1024, initialCapacity)];
    }

    public byte[] buffer() {
        return buf;
    }

    public int length() {
        return len;
    }

    public void reset() {
        len = 0;
    }

    /** Appends one row and its newline. */
    public void append(UsageMetric m) {
        timestamp(m.time());
        tab();
        text(m.modelId());
        tab();
        text(m.provider());
        tab();
        number(m.requestCount());
        tab();
        number(m.tokenInput());
        tab();
        number(m.tokenOutput());
        tab();
        number(m.tokenTotal());
        tab();
        BigDecimal cost = m.costUsd();
        if (cost == null) {
            nul();
        } else {
            ascii(cost.toPlainString());
        }
        tab();
        ascii(Double.toString(m.avgLatencyMs()));
        tab();
        number(m.errorCount());
        tab();
        number(m.successCount());
        tab();
        text(m.userId());
        tab();
        text(m.applicationId());
        tab();
        text(m.environment());
        tab();
        text(m.metadata());
        tab();
        uuid(m.eventId());
        tab();
        optionalNumber(m.tokenCacheRead());
        tab();
        optionalNumber(m.tokenCacheWrite());
        tab();
        optionalNumber(m.tokenReasoning());
        tab();
        text(m.priceSource());
        tab();
        text(m.usageSource() == null ? null : m.usageSource().value());
        tab();
        if (m.timeToFirstTokenMs() == null) {
            nul();
        } else {
            ascii(Double.toString(m.timeToFirstTokenMs()));
        }
        tab();
        text(m.finishReason());
        tab();
        if (m.costSavedUsd() == null) {
            nul();
        } else {
            ascii(m.costSavedUsd().toPlainString());
        }
        put((byte) '\n');
    }

    private void tab() {
        put((byte) '\t');
    }

    private void nul() {
        ensure(2);
        buf[len++] = '\\';
        buf[len++] = 'N';
    }

    private void optionalNumber(Long v) {
        if (v == null) {
            nul();
        } else {
            number(v);
        }
    }

    private void number(long v) {
        ascii(Long.toString(v));
    }

    private void ascii(String s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            buf[len++] = (byte) s.charAt(i);
        }
    }

    /** Text with COPY escapes, encoded as UTF-8 (surrogate pairs combined; a lone surrogate becomes '?'). */
    private void text(String s) {
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

    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private void uuid(UUID id) {
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
    private void timestamp(Instant t) {
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

    private void put(byte b) {
        ensure(1);
        buf[len++] = b;
    }

    private void ensure(int extra) {
        if (len + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
        }
    }
}
