package io.llmstore.core.buffer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The building blocks of the {@link SpoolCodec}s' binary payloads, one encoding per kind of field so every codec
 * writes the same bytes for the same value (docs/spool.md, "Format"): a payload starts with its format byte, then the
 * fields in the codec's order. Integers are big-endian and fixed-width; text is its UTF-8 byte length (int32, -1 =
 * null) and the bytes (exact for every text without a lone surrogate, which the row types refuse); a decimal is a
 * presence byte, its scale (int32), the length (uint16) and the bytes of its unscaled two's-complement value
 * (exact: value and scale); an {@link Instant} is epoch seconds (int64) and nanoseconds (int32); an optional number
 * is a presence byte and the number; a list or map is its size (int32, -1 = null) and its entries in order.
 *
 * <p>{@link Writer} and {@link Reader} are single-use and not thread-safe; a codec makes one per row.
 */
public final class SpoolFields {
    /** Tags of {@link Writer#jsonValue}: one byte before each value of a free-form JSON document. */
    private static final int NULL = 0, STRING = 1, FALSE = 2, TRUE = 3, INT = 4, LONG = 5, DOUBLE = 6, FLOAT = 7,
            DECIMAL = 8, BIG_INTEGER = 9, LIST = 10, MAP = 11, JSON_TEXT = 12;

    /**
     * Values of other types in a JSON document (an {@code Instant}, a POJO) are spooled as the JSON text this mapper
     * writes, with the settings the PostgreSQL writers use (ISO-8601 dates), and read back as plain JSON values: the
     * stored document is the same, the Java types are JSON's.
     */
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private SpoolFields() {
    }

    /** Writes one payload: the format byte first, then fields in call order. */
    public static final class Writer {
        private final ByteArrayOutputStream bytes;
        private final DataOutputStream out;

        /**
         * @param format   the codec's format byte (0..255), written first
         * @param sizeHint expected payload bytes (a starting capacity)
         */
        public Writer(int format, int sizeHint) {
            if (format < 0 || format > 255) {
                throw new IllegalArgumentException("format must be 0..255, was " + format);
            }
            this.bytes = new ByteArrayOutputStream(Math.max(16, sizeHint));
            this.out = new DataOutputStream(bytes);
            byteValue(format);
        }

        /** The payload. */
        public byte[] toBytes() {
            return bytes.toByteArray();
        }

        public Writer byteValue(int v) {
            return io(() -> out.writeByte(v));
        }

        public Writer bool(boolean v) {
            return io(() -> out.writeBoolean(v));
        }

        public Writer intValue(int v) {
            return io(() -> out.writeInt(v));
        }

        public Writer longValue(long v) {
            return io(() -> out.writeLong(v));
        }

        public Writer doubleValue(double v) {
            return io(() -> out.writeDouble(v));
        }

        /** Two int64s (most, least significant bits); not null. */
        public Writer uuid(UUID v) {
            return longValue(v.getMostSignificantBits()).longValue(v.getLeastSignificantBits());
        }

        /** A presence byte, then {@link #uuid}. */
        public Writer optionalUuid(UUID v) {
            bool(v != null);
            return v == null ? this : uuid(v);
        }

        /** Epoch seconds (int64) and nanoseconds (int32); not null. */
        public Writer instant(Instant v) {
            return longValue(v.getEpochSecond()).intValue(v.getNano());
        }

        /** UTF-8 byte length (int32, -1 = null), then the bytes. */
        public Writer text(String s) {
            if (s == null) {
                return intValue(-1);
            }
            byte[] b = s.getBytes(StandardCharsets.UTF_8); // exact: the row types refuse lone surrogates
            intValue(b.length);
            return io(() -> out.write(b));
        }

        /** A presence byte, the scale (int32), the unscaled value's length (uint16) and two's-complement bytes. */
        public Writer decimal(BigDecimal d) {
            bool(d != null);
            if (d != null) {
                byte[] unscaled = d.unscaledValue().toByteArray();
                if (unscaled.length > 0xffff) {
                    throw new IllegalArgumentException("a spooled decimal must have at most 65535 bytes, was "
                            + unscaled.length);
                }
                intValue(d.scale());
                io(() -> out.writeShort(unscaled.length));
                io(() -> out.write(unscaled));
            }
            return this;
        }

        /** A presence byte, then the int64. */
        public Writer optionalLong(Long v) {
            bool(v != null);
            return v == null ? this : longValue(v);
        }

        /** A presence byte, then the int32. */
        public Writer optionalInt(Integer v) {
            bool(v != null);
            return v == null ? this : intValue(v);
        }

        /** A presence byte, then the float64. */
        public Writer optionalDouble(Double v) {
            bool(v != null);
            return v == null ? this : doubleValue(v);
        }

        /** The size (int32, -1 = null), then each {@link #text}. */
        public Writer texts(List<String> list) {
            if (list == null) {
                return intValue(-1);
            }
            intValue(list.size());
            for (String s : list) {
                text(s);
            }
            return this;
        }

        /** The size (int32, -1 = null), then each key and value as {@link #text}, in the map's order. */
        public Writer textMap(Map<String, String> map) {
            if (map == null) {
                return intValue(-1);
            }
            intValue(map.size());
            for (Map.Entry<String, String> e : map.entrySet()) {
                text(e.getKey());
                text(e.getValue());
            }
            return this;
        }

        /**
         * A JSON object ({@code Map<String, Object>}, -1 = null): its size, then each key ({@link #text}) and value
         * ({@link #jsonValue}) in the map's order.
         */
        public Writer jsonObject(Map<String, ?> map) {
            if (map == null) {
                return intValue(-1);
            }
            intValue(map.size());
            for (Map.Entry<String, ?> e : map.entrySet()) {
                text(e.getKey());
                jsonValue(e.getValue());
            }
            return this;
        }

        /**
         * A value of a JSON document: a tag byte, then null, a string, a boolean, an {@code Integer}, {@code Long},
         * {@code Double}, {@code Float}, {@code BigDecimal}, {@code BigInteger}, a {@code List} or a map with string
         * keys, each kept with its Java type; any other value as the JSON text Jackson writes for it (read back as
         * plain JSON values).
         *
         * @throws IllegalArgumentException when such a value cannot be written as JSON
         */
        public Writer jsonValue(Object v) {
            if (v == null) {
                return byteValue(NULL);
            } else if (v instanceof String s) {
                return byteValue(STRING).text(s);
            } else if (v instanceof Boolean b) {
                return byteValue(b ? TRUE : FALSE);
            } else if (v instanceof Integer i) {
                return byteValue(INT).intValue(i);
            } else if (v instanceof Long l) {
                return byteValue(LONG).longValue(l);
            } else if (v instanceof Double d) {
                return byteValue(DOUBLE).doubleValue(d);
            } else if (v instanceof Float f) {
                byteValue(FLOAT);
                return io(() -> out.writeFloat(f));
            } else if (v instanceof BigDecimal d) {
                return byteValue(DECIMAL).decimal(d);
            } else if (v instanceof BigInteger i) {
                return byteValue(BIG_INTEGER).decimal(new BigDecimal(i));
            } else if (v instanceof List<?> list) {
                byteValue(LIST).intValue(list.size());
                for (Object o : list) {
                    jsonValue(o);
                }
                return this;
            } else if (v instanceof Map<?, ?> map && map.keySet().stream().allMatch(String.class::isInstance)) {
                @SuppressWarnings("unchecked")
                Map<String, ?> object = (Map<String, ?>) map;
                return byteValue(MAP).jsonObject(object);
            }
            try {
                return byteValue(JSON_TEXT).text(JSON.writeValueAsString(v));
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("a " + v.getClass().getName() + " value cannot be written as JSON: "
                        + e.getOriginalMessage(), e);
            }
        }

        private Writer io(IoWrite write) {
            try {
                write.run();
            } catch (IOException e) {
                throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
            }
            return this;
        }
    }

    @FunctionalInterface
    private interface IoWrite {
        void run() throws IOException;
    }

    /**
     * Reads one payload written by {@link Writer}, in the same field order. Every malformed input (truncated,
     * a length past the end, bytes left over, an unknown tag) is an {@link IllegalArgumentException} naming the
     * record's kind, which the spool counts as a lost record.
     */
    public static final class Reader {
        private final String kind;
        private final ByteBuffer in;

        private Reader(String kind, byte[] bytes) {
            this.kind = kind;
            this.in = ByteBuffer.wrap(bytes);
        }

        /**
         * A reader of {@code bytes} after checking their format byte.
         *
         * @param kind   what the record is, in messages ("usage", "span")
         * @param format the only format byte this codec reads
         * @throws IllegalArgumentException "{@code <kind> spool record format must be <format>, was <byte>}"
         */
        public static Reader open(String kind, int format, byte[] bytes) {
            Reader r = new Reader(kind, bytes);
            int found = r.unsignedByte();
            if (found != format) {
                throw new IllegalArgumentException(kind + " spool record format must be " + format + ", was " + found);
            }
            return r;
        }

        /** Checks nothing is left: a payload longer than its fields is not one of this codec's. */
        public void end() {
            if (in.hasRemaining()) {
                throw new IllegalArgumentException(kind + " spool record has " + in.remaining() + " bytes past its end");
            }
        }

        public int unsignedByte() {
            return get(() -> in.get() & 0xff);
        }

        /** A signed byte. */
        public int byteValue() {
            return get(in::get);
        }

        public boolean bool() {
            return byteValue() != 0;
        }

        public int intValue() {
            return get(in::getInt);
        }

        public long longValue() {
            return get(in::getLong);
        }

        public double doubleValue() {
            return get(in::getDouble);
        }

        public UUID uuid() {
            return new UUID(longValue(), longValue());
        }

        public UUID optionalUuid() {
            return bool() ? uuid() : null;
        }

        public Instant instant() {
            long seconds = longValue();
            int nanos = intValue();
            try {
                return Instant.ofEpochSecond(seconds, nanos);
            } catch (RuntimeException e) {
                throw malformed("a time of " + seconds + " s + " + nanos + " ns");
            }
        }

        public String text() {
            int length = intValue();
            if (length == -1) {
                return null;
            }
            if (length < 0 || length > in.remaining()) {
                throw malformed("text length " + length + " past the record's end");
            }
            String s = new String(in.array(), in.position(), length, StandardCharsets.UTF_8);
            in.position(in.position() + length);
            return s;
        }

        public BigDecimal decimal() {
            if (!bool()) {
                return null;
            }
            int scale = intValue();
            int length = get(() -> in.getShort() & 0xffff);
            if (length == 0 || length > in.remaining()) {
                throw malformed("decimal length " + length + " past the record's end");
            }
            byte[] unscaled = new byte[length];
            in.get(unscaled);
            return new BigDecimal(new BigInteger(unscaled), scale);
        }

        public Long optionalLong() {
            return bool() ? longValue() : null;
        }

        public Integer optionalInt() {
            return bool() ? intValue() : null;
        }

        public Double optionalDouble() {
            return bool() ? doubleValue() : null;
        }

        /** A list written by {@link Writer#texts}: modifiable, null for -1. */
        public List<String> texts() {
            int size = size();
            if (size < 0) {
                return null;
            }
            List<String> list = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                list.add(text());
            }
            return list;
        }

        /** A map written by {@link Writer#textMap}, in its order (a {@link LinkedHashMap}), null for -1. */
        public Map<String, String> textMap() {
            int size = size();
            if (size < 0) {
                return null;
            }
            Map<String, String> map = new LinkedHashMap<>();
            for (int i = 0; i < size; i++) {
                map.put(text(), text());
            }
            return map;
        }

        /** An object written by {@link Writer#jsonObject}, in its order (a {@link LinkedHashMap}), null for -1. */
        public Map<String, Object> jsonObject() {
            int size = size();
            if (size < 0) {
                return null;
            }
            Map<String, Object> map = new LinkedHashMap<>();
            for (int i = 0; i < size; i++) {
                map.put(text(), jsonValue());
            }
            return map;
        }

        /** A value written by {@link Writer#jsonValue}. */
        public Object jsonValue() {
            int tag = unsignedByte();
            switch (tag) {
                case NULL:
                    return null;
                case STRING:
                    return text();
                case FALSE:
                    return Boolean.FALSE;
                case TRUE:
                    return Boolean.TRUE;
                case INT:
                    return intValue();
                case LONG:
                    return longValue();
                case DOUBLE:
                    return doubleValue();
                case FLOAT:
                    return get(in::getFloat);
                case DECIMAL:
                    return decimal();
                case BIG_INTEGER:
                    return decimal().toBigIntegerExact();
                case LIST: {
                    int size = size();
                    List<Object> list = new ArrayList<>(Math.max(0, size));
                    for (int i = 0; i < size; i++) {
                        list.add(jsonValue());
                    }
                    return Collections.unmodifiableList(list);
                }
                case MAP:
                    return jsonObject();
                case JSON_TEXT:
                    try {
                        return JSON.readValue(text(), Object.class);
                    } catch (JsonProcessingException e) {
                        throw malformed("JSON text that does not parse: " + e.getOriginalMessage());
                    }
                default:
                    throw malformed("JSON value tag " + tag + " (0.." + JSON_TEXT + ")");
            }
        }

        private int size() {
            int size = intValue();
            if (size < -1 || size > in.remaining()) { // every entry takes at least one byte
                throw malformed("size " + size + " past the record's end");
            }
            return size;
        }

        private IllegalArgumentException malformed(String what) {
            return new IllegalArgumentException(kind + " spool record is truncated or malformed: " + what);
        }

        private <V> V get(java.util.function.Supplier<V> read) {
            try {
                return read.get();
            } catch (BufferUnderflowException e) {
                throw malformed("it ends at byte " + in.position() + " of " + in.limit());
            }
        }
    }
}
