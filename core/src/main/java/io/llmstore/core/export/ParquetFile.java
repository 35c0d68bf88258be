package io.llmstore.core.export;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

/** The Parquet side of {@link Parquet}: loaded only when parquet-hadoop is on the class path. */
final class ParquetFile {
    private static final BigInteger DECIMAL_LIMIT = BigInteger.TEN.pow(Parquet.DECIMAL_PRECISION);

    private ParquetFile() {
    }

    static <R extends Record> long write(Class<R> type, List<? extends R> rows, Path file) throws IOException {
        RecordComponent[] components = type.getRecordComponents();
        if (components == null) {
            throw new IllegalArgumentException("type must be a record class, was " + type.getName());
        }
        MessageType schema = schema(type, components);
        Files.deleteIfExists(file);
        long written = 0;
        try (ParquetWriter<Record> writer = new Builder(new LocalOutputFile(file), schema, components)
                .withConf(new PlainParquetConfiguration())
                .withCompressionCodec(CompressionCodecName.UNCOMPRESSED)
                .build()) {
            for (R row : rows) {
                writer.write(row);
                written++;
            }
        }
        return written;
    }

    private static MessageType schema(Class<?> type, RecordComponent[] components) {
        Types.MessageTypeBuilder b = Types.buildMessage();
        for (RecordComponent c : components) {
            Class<?> t = c.getType();
            Type.Repetition rep = t.isPrimitive() ? Type.Repetition.REQUIRED : Type.Repetition.OPTIONAL;
            String name = Columns.snakeCase(c.getName());
            if (t == UUID.class) {
                b.primitive(PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY, rep).length(16)
                        .as(LogicalTypeAnnotation.uuidType()).named(name);
            } else if (t == Instant.class) {
                b.primitive(PrimitiveTypeName.INT64, rep)
                        .as(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MICROS)).named(name);
            } else if (t == BigDecimal.class) {
                b.primitive(PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY, rep).length(16)
                        .as(LogicalTypeAnnotation.decimalType(Parquet.DECIMAL_SCALE, Parquet.DECIMAL_PRECISION)).named(name);
            } else if (Map.class.isAssignableFrom(t)) {
                b.primitive(PrimitiveTypeName.BINARY, rep).as(LogicalTypeAnnotation.jsonType()).named(name);
            } else if (t == String.class || t.isEnum()) {
                b.primitive(PrimitiveTypeName.BINARY, rep).as(LogicalTypeAnnotation.stringType()).named(name);
            } else if (t == long.class || t == Long.class) {
                b.primitive(PrimitiveTypeName.INT64, rep).named(name);
            } else if (t == int.class || t == Integer.class) {
                b.primitive(PrimitiveTypeName.INT32, rep).named(name);
            } else if (t == double.class || t == Double.class) {
                b.primitive(PrimitiveTypeName.DOUBLE, rep).named(name);
            } else if (t == boolean.class || t == Boolean.class) {
                b.primitive(PrimitiveTypeName.BOOLEAN, rep).named(name);
            } else {
                throw new IllegalArgumentException("component " + c.getName() + " of " + type.getSimpleName()
                        + " has type " + t.getName() + ", which Parquet export does not map (see Parquet's Javadoc)");
            }
        }
        return b.named(type.getSimpleName());
    }

    private static final class Builder extends ParquetWriter.Builder<Record, Builder> {
        private final MessageType schema;
        private final RecordComponent[] components;

        Builder(OutputFile file, MessageType schema, RecordComponent[] components) {
            super(file);
            this.schema = schema;
            this.components = components;
        }

        @Override
        protected Builder self() {
            return this;
        }

        @Override
        protected WriteSupport<Record> getWriteSupport(ParquetConfiguration conf) {
            return new RecordWriteSupport(schema, components);
        }

        // Abstract in parquet-hadoop, so it must be here; never called, since withConf gave a ParquetConfiguration.
        @Override
        protected WriteSupport<Record> getWriteSupport(org.apache.hadoop.conf.Configuration conf) {
            return new RecordWriteSupport(schema, components);
        }
    }

    private static final class RecordWriteSupport extends WriteSupport<Record> {
        private final MessageType schema;
        private final RecordComponent[] components;
        private RecordConsumer out;

        RecordWriteSupport(MessageType schema, RecordComponent[] components) {
            this.schema = schema;
            this.components = components;
        }

        @Override
        public WriteContext init(ParquetConfiguration configuration) {
            return new WriteContext(schema, new HashMap<>());
        }

        @Override
        public WriteContext init(org.apache.hadoop.conf.Configuration configuration) {
            return new WriteContext(schema, new HashMap<>());
        }

        @Override
        public void prepareForWrite(RecordConsumer recordConsumer) {
            this.out = recordConsumer;
        }

        @Override
        public void write(Record row) {
            out.startMessage();
            for (int i = 0; i < components.length; i++) {
                Object v = Columns.value(components[i], row);
                if (v == null) {
                    continue; // an optional column's null: the field is simply absent
                }
                String name = schema.getFieldName(i);
                out.startField(name, i);
                add(name, v);
                out.endField(name, i);
            }
            out.endMessage();
        }

        private void add(String column, Object v) {
            if (v instanceof UUID u) {
                out.addBinary(Binary.fromConstantByteArray(ByteBuffer.allocate(16)
                        .putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits()).array()));
            } else if (v instanceof Instant t) {
                out.addLong(Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000));
            } else if (v instanceof BigDecimal d) {
                out.addBinary(Binary.fromConstantByteArray(decimal(column, d)));
            } else if (v instanceof Map<?, ?> m) {
                out.addBinary(Binary.fromString(Columns.json(m)));
            } else if (v instanceof String s) {
                out.addBinary(Binary.fromString(s));
            } else if (v instanceof Enum<?> e) {
                out.addBinary(Binary.fromString(e.name()));
            } else if (v instanceof Long l) {
                out.addLong(l);
            } else if (v instanceof Integer n) {
                out.addInteger(n);
            } else if (v instanceof Double x) {
                out.addDouble(x);
            } else if (v instanceof Boolean x) {
                out.addBoolean(x);
            } else {
                throw new IllegalArgumentException("column " + column + " holds a " + v.getClass().getName());
            }
        }

        /** Two's complement, big-endian, sign-extended to 16 bytes, at scale 18. */
        private static byte[] decimal(String column, BigDecimal d) {
            BigDecimal scaled;
            try {
                scaled = d.setScale(Parquet.DECIMAL_SCALE, RoundingMode.UNNECESSARY);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("column " + column + " must have at most " + Parquet.DECIMAL_SCALE
                        + " decimal places for Parquet export, was " + d.toPlainString(), e);
            }
            BigInteger unscaled = scaled.unscaledValue();
            if (unscaled.abs().compareTo(DECIMAL_LIMIT) >= 0) {
                throw new IllegalArgumentException("column " + column + " must have at most "
                        + (Parquet.DECIMAL_PRECISION - Parquet.DECIMAL_SCALE) + " integer digits for Parquet export, was "
                        + d.toPlainString());
            }
            byte[] raw = unscaled.toByteArray();
            byte[] fixed = new byte[16];
            byte pad = (byte) (unscaled.signum() < 0 ? -1 : 0);
            java.util.Arrays.fill(fixed, 0, 16 - raw.length, pad);
            System.arraycopy(raw, 0, fixed, 16 - raw.length, raw.length);
            return fixed;
        }
    }
}
