package io.llmstore.core.operation;

import io.llmstore.core.buffer.SpoolCodec;
import io.llmstore.core.buffer.SpoolFields;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The spool's binary form of an {@link OperationWithMessages} (docs/spool.md, kind {@code operation}): format byte 1,
 * then every {@link Operation} field in record order with {@link SpoolFields}' encodings (the cost exact, the time as
 * seconds and nanoseconds, {@code extras} as a typed JSON document that keeps strings, booleans, integers, longs,
 * doubles, decimals, lists and nested objects with their Java types), then the messages (count, then id, role,
 * content, sequence number each). {@code decode(encode(o))} equals {@code o} when {@code extras} holds only those
 * types; a value of another type (an {@code Instant}, a POJO) comes back as the JSON the writer would store for it.
 * Measured: 189 bytes for an operation with two extras and no messages, 284 with two short messages. Stateless and
 * thread-safe.
 */
public final class OperationSpoolCodec implements SpoolCodec<OperationWithMessages> {
    /** The one instance. */
    public static final OperationSpoolCodec INSTANCE = new OperationSpoolCodec();

    private static final int FORMAT = 1;

    private OperationSpoolCodec() {
    }

    @Override
    public byte[] encode(OperationWithMessages row) {
        Operation o = row.operation();
        int hint = 160;
        for (OperationMessage m : row.messages()) {
            hint += 32 + m.role().length() + m.content().length();
        }
        SpoolFields.Writer out = new SpoolFields.Writer(FORMAT, hint);
        out.uuid(o.operationId())
                .uuid(o.sessionId())
                .text(o.actionId())
                .instant(o.timestamp())
                .text(o.operationType())
                .text(o.provider())
                .text(o.model())
                .longValue(o.inputTokens())
                .longValue(o.outputTokens())
                .optionalLong(o.latencyMs())
                .decimal(o.cost())
                .text(o.status())
                .text(o.errorMessage())
                .jsonObject(o.extras())
                .intValue(row.messages().size());
        for (OperationMessage m : row.messages()) {
            out.uuid(m.messageId()).text(m.role()).text(m.content()).intValue(m.sequenceNumber());
        }
        return out.toBytes();
    }

    @Override
    public OperationWithMessages decode(byte[] bytes) {
        try {
            SpoolFields.Reader in = SpoolFields.Reader.open("operation", FORMAT, bytes);
            var id = in.uuid();
            var session = in.uuid();
            String action = in.text();
            var timestamp = in.instant();
            String type = in.text();
            String provider = in.text();
            String model = in.text();
            long input = in.longValue();
            long output = in.longValue();
            Long latency = in.optionalLong();
            var cost = in.decimal();
            String status = in.text();
            String error = in.text();
            Map<String, Object> extras = in.jsonObject();
            int count = in.intValue();
            if (count < 0 || count > bytes.length) {
                throw new IllegalArgumentException("operation spool record is truncated or malformed: " + count
                        + " messages");
            }
            List<OperationMessage> messages = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                messages.add(new OperationMessage(in.uuid(), in.text(), in.text(), in.intValue()));
            }
            in.end();
            Operation o = new Operation(id, session, action, timestamp, type, provider, model, input, output, latency, cost,
                    status, error, extras);
            return new OperationWithMessages(o, messages);
        } catch (NullPointerException | ArithmeticException e) {
            // a required field read as null, or a number out of range: not a row this codec wrote
            throw new IllegalArgumentException("operation spool record is malformed: " + e.getMessage(), e);
        }
    }
}
