package io.llmstore.core.usage;

import io.llmstore.core.buffer.SpoolCodec;
import io.llmstore.core.buffer.SpoolFields;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/**
 * The spool's binary form of a {@link UsageMetric}: a format byte, then every field in record order (fixed-width
 * numbers, UTF-8 text after its byte length (-1 = null), a presence byte before each optional number). Exact: costs
 * keep their unscaled value and scale, times their microseconds, text every character (a {@code UsageMetric} holds no
 * unpaired surrogate). A usage row with short texts takes about 150 bytes. The field encodings are
 * {@link SpoolFields}'. Stateless and thread-safe.
 */
public final class UsageSpoolCodec implements SpoolCodec<UsageMetric> {
    /** The one instance. */
    public static final UsageSpoolCodec INSTANCE = new UsageSpoolCodec();

    private static final int FORMAT = 1;

    private UsageSpoolCodec() {
    }

    @Override
    public byte[] encode(UsageMetric m) {
        SpoolFields.Writer out = new SpoolFields.Writer(FORMAT, 160 + (m.metadata() == null ? 0 : m.metadata().length()));
        out.uuid(m.eventId())
                .instant(m.time())
                .text(m.modelId())
                .text(m.provider())
                .longValue(m.requestCount())
                .longValue(m.tokenInput())
                .longValue(m.tokenOutput())
                .longValue(m.tokenTotal())
                .decimal(m.costUsd())
                .doubleValue(m.avgLatencyMs())
                .longValue(m.errorCount())
                .longValue(m.successCount())
                .text(m.userId())
                .text(m.applicationId())
                .text(m.environment())
                .text(m.metadata())
                .optionalLong(m.tokenCacheRead())
                .optionalLong(m.tokenCacheWrite())
                .optionalLong(m.tokenReasoning())
                .text(m.priceSource())
                .byteValue(m.usageSource() == null ? -1 : m.usageSource().ordinal())
                .optionalDouble(m.timeToFirstTokenMs())
                .text(m.finishReason())
                .decimal(m.costSavedUsd());
        return out.toBytes();
    }

    @Override
    public UsageMetric decode(byte[] bytes) {
        SpoolFields.Reader in = SpoolFields.Reader.open("usage", FORMAT, bytes);
        UUID id = in.uuid();
        Instant time = in.instant();
        String model = in.text();
        String provider = in.text();
        long requests = in.longValue();
        long input = in.longValue();
        long output = in.longValue();
        long total = in.longValue();
        BigDecimal cost = in.decimal();
        double latency = in.doubleValue();
        long errors = in.longValue();
        long successes = in.longValue();
        String user = in.text();
        String application = in.text();
        String environment = in.text();
        String metadata = in.text();
        Long cacheRead = in.optionalLong();
        Long cacheWrite = in.optionalLong();
        Long reasoning = in.optionalLong();
        String priceSource = in.text();
        int source = in.byteValue();
        Double ttft = in.optionalDouble();
        String finish = in.text();
        BigDecimal saved = in.decimal();
        in.end();
        if (source < -1 || source >= UsageSource.values().length) {
            throw new IllegalArgumentException("usage spool record is truncated or malformed: usageSource " + source);
        }
        return new UsageMetric(id, time, model, provider, requests, input, output, total, cost, latency, errors,
                successes, user, application, environment, metadata, cacheRead, cacheWrite, reasoning, priceSource,
                source < 0 ? null : UsageSource.values()[source], ttft, finish, saved);
    }
}
