package io.llmstore.timescale;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmstore.testkit.PostgresServer;
import io.llmstore.testkit.TestServers;
import org.junit.jupiter.api.Test;

/** The trace store contract on real PostgreSQL 15 (no TimescaleDB: {@code llm_spans} a plain table). */
class PostgresTraceStoreTest extends TraceStoreContract {
    @Override
    PostgresServer server() {
        return TestServers.postgres();
    }

    @Override
    String serverName() {
        return "postgres";
    }

    @Test
    void theSpansTableIsAPlainTableHere() {
        assertThat(query("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname = '" + schema + "' AND c.relname = 'llm_spans' AND c.relkind = 'r'")).isEqualTo(1);
    }
}
