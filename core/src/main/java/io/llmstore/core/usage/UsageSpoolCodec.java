package io.llmstore.core.usage;

import io.llmstore.core.buffer.SpoolCodec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

/**
 * The spool's binary form of a {@link UsageMetric}: a format byte, then every field in record order (fixed-width
 * numbers, UTF-8 text after its byte length (-1 = null), a presence byte before each optional number). Exact: costs
 * keep their unscaled value and scale, times their microseconds, text every character (a {@code UsageMetric} holds no
 * unpaired surrogate). A usage row with short texts takes about 150 bytes. Stateless and thread-safe.
 */
public final class UsageSpoolCodec implements SpoolCodec<UsageMetric> {
    /** The one instance. */
    public static final UsageSpoolCodec INSTANCE = new UsageSpoolCodec();

    private static final int FORMAT = 1;

    private UsageSpoolCodec() {
    }

    @Override
    public byte[] encode(UsageMetric m) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(160 + (m.metadata() == null ? 0 : m.metadata().length()));
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeLong(m.eventId().getMostSignificantBits());
            out.writeLong(m.eventId().getLeastSignificantBits());
            out.writeLong(m.time().getEpochSecond());
            out.writeInt(m.time().getNano());
            text(out, m.modelId());
            text(out, m.provider());
            out.writeLong(m.requestCount());
            out.writeLong(m.tokenInput());
            out.writeLong(m.tokenOutput());
            out.writeLong(m.tokenTotal());
            decimal(out, m.costUsd());
            out.writeDouble(m.avgLatencyMs());
            out.writeLong(m.errorCount());
            out.writeLong(m.successCount());
            text(out, m.userId());
            text(out, m.applicationId());
            text(out, m.environment());
            text(out, m.metadata());
            optionalLong(out, m.tokenCacheRead());
            optionalLong(out, m.tokenCacheWrite());
            optionalLong(out, m.tokenReasoning());
            text(out, m.priceSource());
            out.writeByte(m.usageSource() == null ? -1 : m.usageSource().ordinal());
            out.writeBoolean(m.timeToFirstTokenMs() != null);
            if (m.timeToFirstTokenMs() != null) {
                out.writeDouble(m.timeToFirstTokenMs());
            }
            text(out, m.finishReason());
            decimal(out, m.costSavedUsd());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return bytes.toByteArray();
    }

    @Override
    public UsageMetric decode(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int format = in.readUnsignedByte();
            if (format != FORMAT) {
                throw new IllegalArgumentException("usage spool record format must be " + FORMAT + ", was " + format);
            }
            UUID id = new UUID(in.readLong(), in.readLong());
            Instant time = Instant.ofEpochSecond(in.readLong(), in.readInt());
            String model = text(in);
            String provider = text(in);
            long requests = in.readLong();
            long input = in.readLong();
            long output = in.readLong();
            long total = in.readLong();
            BigDecimal cost = decimal(in);
            double latency = in.readDouble();
            long errors = in.readLong();
            long successes = in.readLong();
            String user = text(in);
            String application = text(in);
            String environment = text(in);
            String metadata = text(in);
            Long cacheRead = optionalLong(in);
            Long cacheWrite = optionalLong(in);
            Long reasoning = optionalLong(in);
            String priceSource = text(in);
            int source = in.readByte();
            Double ttft = in.readBoolean() ? in.readDouble() : null;
            String finish = text(in);
            BigDecimal saved = decimal(in);
            if (in.available() != 0) {
                throw new IllegalArgumentException("usage spool record has " + in.available() + " bytes past its end");
            }
            return new UsageMetric(id, time, model, provider, requests, input, output, total, cost, latency, errors,
                    successes, user, application, environment, metadata, cacheRead, cacheWrite, reasoning, priceSource,
                    source < 0 ? null : UsageSource.values()[source], ttft, finish, saved);
        } catch (IOException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("usage spool record is truncated or malformed: " + e, e);
        }
    }

    private static void text(DataOutputStream out, String s) throws IOException {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8); // exact: a UsageMetric refuses unpaired surrogates
        out.writeInt(b.length);
        out.write(b);
    }

    private static String text(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length == -1) {
            return null;
        }
        if (length < 0 || length > in.available()) {
            throw new IOException("text length " + length + " past the record's end");
        }
        return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    private static void decimal(DataOutputStream out, BigDecimal d) throws IOException {
        out.writeBoolean(d != null);
        if (d != null) {
            byte[] unscaled = d.unscaledValue().toByteArray();
            out.writeInt(d.scale());
            out.writeShort(unscaled.length);
            out.write(unscaled);
        }
    }

    private static BigDecimal decimal(DataInputStream in) throws IOException {
        if (!in.readBoolean()) {
            return null;
        }
        int scale = in.readInt();
        int length = in.readUnsignedShort();
        return new BigDecimal(new BigInteger(in.readNBytes(length)), scale);
    }

    private static void optionalLong(DataOutputStream out, Long v) throws IOException {
        out.writeBoolean(v != null);
        if (v != null) {
            out.writeLong(v);
        }
    }

    private static Long optionalLong(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readLong() : null;
    }
}
