package io.llmstore.core.export;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.Map;
import java.util.Optional;

/** How the exporters read a record: its components in declaration order, Optionals unwrapped, Maps as JSON. */
final class Columns {
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private Columns() {
    }

    static RecordComponent[] of(Record row) {
        return row.getClass().getRecordComponents();
    }

    static Object value(RecordComponent component, Record row) {
        try {
            Object v = component.getAccessor().invoke(row);
            return v instanceof Optional<?> o ? o.orElse(null) : v;
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + component.getName(), e);
        }
    }

    /** A map as a JSON object's text. */
    static String json(Map<?, ?> map) {
        try {
            return JSON.writeValueAsString(map);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("a map value cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** {@code operationId} → {@code operation_id}: the database's column names. */
    static String snakeCase(String name) {
        StringBuilder out = new StringBuilder(name.length() + 4);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isUpperCase(c)) {
                out.append('_').append(Character.toLowerCase(c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
