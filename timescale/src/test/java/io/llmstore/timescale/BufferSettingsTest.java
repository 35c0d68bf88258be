package io.llmstore.timescale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.error.ConfigException;
import io.llmstore.core.operation.LlmSession;
import io.llmstore.core.operation.Operation;
import io.llmstore.core.operation.OperationMessage;
import io.llmstore.core.operation.OperationWithMessages;
import io.llmstore.testkit.Schemas;
import io.llmstore.testkit.TestServers;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code OPERATION_BUFFER_CAPACITY}, {@code OPERATION_FLUSH_SIZE} and {@code OPERATION_FLUSH_INTERVAL} size
 * {@code pool.operations().buffered()} on real PostgreSQL; a bad value of those, or of the other buffered writers'
 * ({@code USAGE_*}, {@code TRACE_*}, {@code GATEWAY_RECORD_*}, all read by {@code core.buffer.BufferSizes}), fails at
 * start naming its variable, the rule and the value.
 */
class BufferSettingsTest {
    private String schema;

    @BeforeEach
    void schema() {
        schema = "op_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    @AfterEach
    void dropSchema() throws SQLException {
        try (Connection c = DriverManager.getConnection(TestServers.postgres().jdbcUrl(), TestServers.postgres().user(),
                TestServers.postgres().password())) {
            Schemas.drop(c, schema);
        }
    }

    private StorageConfig.Builder config() {
        return StorageConfig.builder().databaseUrl(TestServers.postgres().databaseUrl())
                .set("DB_SCHEMA", schema).set("DB_MIGRATE_ON_START", "true");
    }

    @Test
    void aBatchIsWrittenWhenTheConfiguredSizeIsBufferedAndNotBeforeTheConfiguredInterval() throws Exception {
        try (StoragePool pool = StoragePool.create(config().set("OPERATION_FLUSH_SIZE", "3")
                .set("OPERATION_FLUSH_INTERVAL", "1h").build())) {
            LlmSession session = new LlmSession(UUID.randomUUID(), "settings", "agent", Instant.now(), Map.of());
            pool.operations().ensureSession(session);
            List<OperationWithMessages> ops = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Operation o = Operation.builder(session.sessionId()).timestamp(Instant.now()).provider("openai")
                        .model("gpt-4o").tokens(100, 20).build();
                ops.add(new OperationWithMessages(o, List.of(OperationMessage.of("user", "q" + i, 0))));
            }
            pool.operations().buffered().record(ops.get(0));
            pool.operations().buffered().record(ops.get(1));
            // The default interval (1 s) would have written these two by now; an hour has not passed.
            Thread.sleep(2_000);
            assertThat(count(pool)).as("two of a batch of three, an hour's interval").isZero();

            pool.operations().buffered().record(ops.get(2));
            await().atMost(Duration.ofSeconds(10)).until(() -> count(pool) == 3);
        }
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = ';', value = {
        "OPERATION_FLUSH_SIZE; 600; <= OPERATION_BUFFER_CAPACITY (500)",
        "OPERATION_FLUSH_INTERVAL; 0s; a positive duration",
        "OPERATION_BUFFER_CAPACITY; lots; lots",
        "GATEWAY_RECORD_FLUSH_SIZE; 1200; <= GATEWAY_RECORD_BUFFER_CAPACITY (1000)",
        "GATEWAY_RECORD_FLUSH_INTERVAL; 0s; a positive duration",
        "USAGE_FLUSH_SIZE; 200000; <= USAGE_BUFFER_CAPACITY (100000)",
        "TRACE_FLUSH_INTERVAL; 0s; a positive duration"})
    void aBadValueFailsAtStartNamingItsVariableTheRuleAndTheValue(String variable, String value, String said) {
        StorageConfig.Builder config = config().set("OPERATION_BUFFER_CAPACITY", "500")
                .set("GATEWAY_RECORD_BUFFER_CAPACITY", "1000").set(variable, value);

        assertThatThrownBy(() -> StoragePool.create(config.build()).close())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(variable)
                .hasMessageContaining(said)
                .hasMessageContaining(value);
    }

    private static long count(StoragePool pool) throws SQLException {
        try (Connection c = pool.client(DataSource.class).orElseThrow().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM llm_operations")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
