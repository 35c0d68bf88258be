package io.llmstore.timescale.operation;

import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.table;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.jooq.Field;
import org.jooq.JSONB;
import org.jooq.Record;
import org.jooq.Table;
import org.jooq.impl.SQLDataType;

/** The operation schema's tables and columns for jOOQ (no code generation), and the JSON and time conversions. */
final class OperationTables {
    static final Table<Record> SESSIONS = table(name("llm_sessions"));
    static final Table<Record> OPERATIONS = table(name("llm_operations"));
    static final Table<Record> MESSAGES = table(name("llm_messages"));

    static final Field<UUID> S_SESSION_ID = field(name("llm_sessions", "session_id"), SQLDataType.UUID);
    static final Field<String> S_WORKSPACE = field(name("llm_sessions", "workspace"), SQLDataType.CLOB);
    static final Field<String> S_AGENT = field(name("llm_sessions", "agent_id"), SQLDataType.CLOB);
    static final Field<OffsetDateTime> S_CREATED = field(name("llm_sessions", "created_at"), SQLDataType.TIMESTAMPWITHTIMEZONE);
    static final Field<JSONB> S_METADATA = field(name("llm_sessions", "metadata"), SQLDataType.JSONB);

    static final Field<UUID> O_ID = field(name("llm_operations", "operation_id"), SQLDataType.UUID);
    static final Field<UUID> O_SESSION = field(name("llm_operations", "session_id"), SQLDataType.UUID);
    static final Field<String> O_ACTION = field(name("llm_operations", "action_id"), SQLDataType.CLOB);
    static final Field<OffsetDateTime> O_TIME = field(name("llm_operations", "timestamp"), SQLDataType.TIMESTAMPWITHTIMEZONE);
    static final Field<String> O_TYPE = field(name("llm_operations", "operation_type"), SQLDataType.CLOB);
    static final Field<String> O_PROVIDER = field(name("llm_operations", "provider"), SQLDataType.CLOB);
    static final Field<String> O_MODEL = field(name("llm_operations", "model"), SQLDataType.CLOB);
    static final Field<Long> O_IN = field(name("llm_operations", "input_tokens"), SQLDataType.BIGINT);
    static final Field<Long> O_OUT = field(name("llm_operations", "output_tokens"), SQLDataType.BIGINT);
    static final Field<Long> O_LATENCY = field(name("llm_operations", "latency_ms"), SQLDataType.BIGINT);
    static final Field<BigDecimal> O_COST = field(name("llm_operations", "cost"), SQLDataType.NUMERIC(28, 18));
    static final Field<String> O_STATUS = field(name("llm_operations", "status"), SQLDataType.CLOB);
    static final Field<String> O_ERROR = field(name("llm_operations", "error_message"), SQLDataType.CLOB);
    static final Field<JSONB> O_EXTRAS = field(name("llm_operations", "extras"), SQLDataType.JSONB);

    static final Field<UUID> M_ID = field(name("llm_messages", "message_id"), SQLDataType.UUID);
    static final Field<UUID> M_OPERATION = field(name("llm_messages", "operation_id"), SQLDataType.UUID);
    static final Field<String> M_ROLE = field(name("llm_messages", "role"), SQLDataType.CLOB);
    static final Field<String> M_CONTENT = field(name("llm_messages", "content"), SQLDataType.CLOB);
    static final Field<Integer> M_SEQUENCE = field(name("llm_messages", "sequence_number"), SQLDataType.INTEGER);

    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {
    };

    private OperationTables() {
    }

    /** The unqualified column, for an INSERT's column list. */
    static <T> Field<T> column(Field<T> qualified) {
        return field(name(qualified.getUnqualifiedName().last()), qualified.getDataType());
    }

    static OffsetDateTime time(Instant t) {
        return t.atOffset(ZoneOffset.UTC);
    }

    static Instant instant(OffsetDateTime t) {
        return t.toInstant();
    }

    static JSONB json(String field, Map<String, Object> map) {
        try {
            return JSONB.valueOf(JSON.writeValueAsString(map));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(field + " cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }

    static Map<String, Object> map(JSONB json) {
        if (json == null) {
            return Map.of();
        }
        try {
            return JSON.readValue(json.data(), MAP);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is not an object: " + e.getOriginalMessage(), e);
        }
    }
}
