package io.llmstore.core.gateway;

import io.llmstore.core.buffer.SpoolCodec;
import io.llmstore.core.buffer.SpoolFields;

/**
 * The spool's binary form of a gateway {@link UsageRecord} (docs/spool.md, kind {@code gateway-usage}): format byte
 * 1, then every field in record order with {@link SpoolFields}' encodings (the cost exact, the time as seconds and
 * nanoseconds, the metadata documents as UTF-8 text). {@code decode(encode(r))} equals {@code r}. About 100 bytes
 * for a record without metadata. Stateless and thread-safe.
 */
public final class UsageRecordSpoolCodec implements SpoolCodec<UsageRecord> {
    /** The one instance. */
    public static final UsageRecordSpoolCodec INSTANCE = new UsageRecordSpoolCodec();

    private static final int FORMAT = 1;

    private UsageRecordSpoolCodec() {
    }

    @Override
    public byte[] encode(UsageRecord r) {
        int hint = 120 + (r.requestMetadataJson() == null ? 0 : r.requestMetadataJson().length())
                + (r.responseMetadataJson() == null ? 0 : r.responseMetadataJson().length());
        return new SpoolFields.Writer(FORMAT, hint)
                .longValue(r.id())
                .uuid(r.requestId())
                .longValue(r.apiKeyId())
                .longValue(r.modelId())
                .longValue(r.providerId())
                .instant(r.requestTimestamp())
                .longValue(r.promptTokens())
                .longValue(r.completionTokens())
                .longValue(r.totalTokens())
                .decimal(r.costUsd())
                .text(r.requestMetadataJson())
                .text(r.responseMetadataJson())
                .toBytes();
    }

    @Override
    public UsageRecord decode(byte[] bytes) {
        try {
            SpoolFields.Reader in = SpoolFields.Reader.open("gateway usage record", FORMAT, bytes);
            UsageRecord r = new UsageRecord(in.longValue(), in.uuid(), in.longValue(), in.longValue(), in.longValue(),
                    in.instant(), in.longValue(), in.longValue(), in.longValue(), in.decimal(), in.text(), in.text());
            in.end();
            return r;
        } catch (NullPointerException | ArithmeticException e) {
            // a required field read as null, or a number out of range: not a row this codec wrote
            throw new IllegalArgumentException("gateway usage record spool record is malformed: " + e.getMessage(), e);
        }
    }
}
