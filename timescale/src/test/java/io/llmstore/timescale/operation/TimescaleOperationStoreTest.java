package io.llmstore.timescale.operation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmstore.testkit.PostgresServer;
import io.llmstore.testkit.TestServers;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * The operation store contract on a real TimescaleDB 2.28, plus the evidence for keeping {@code llm_operations} a
 * plain table there (docs/operations.md).
 */
class TimescaleOperationStoreTest extends OperationStoreContract {
    @Override
    PostgresServer server() {
        return TestServers.timescale();
    }

    @Test
    void theSchemaIsTimescaleFlavouredButTheOperationTablesStayPlainBecauseAHypertableCannotKeyOnOperationId()
            throws Exception {
        try (Connection c = connection(); Statement st = c.createStatement()) {
            ResultSet rs = st.executeQuery("SELECT count(*) FROM timescaledb_information.hypertables WHERE hypertable_schema = '"
                    + schema + "'");
            rs.next();
            assertThat(rs.getInt(1)).as("only the usage table").isEqualTo(1);
            // What converting would take: TimescaleDB refuses the guide's primary key on a hypertable.
            assertThatThrownBy(() -> st.execute("SELECT create_hypertable('llm_operations', 'timestamp', migrate_data => true)"))
                    .hasMessageContaining("cannot create a unique index without the column \"timestamp\"");
        }
    }
}
