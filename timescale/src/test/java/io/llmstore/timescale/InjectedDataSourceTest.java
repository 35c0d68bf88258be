package io.llmstore.timescale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.error.ConnectionException;
import io.llmstore.core.health.HealthStatus;
import io.llmstore.core.stats.ConnectionPoolStats;
import io.llmstore.core.usage.UsageFilter;
import io.llmstore.core.usage.UsageMetric;
import io.llmstore.testkit.PostgresServer;
import io.llmstore.testkit.Schemas;
import io.llmstore.testkit.TestServers;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code PostgresBackendProvider.using(dataSource)} on real PostgreSQL: the pool needs no DATABASE_URL or password,
 * its rows go through the application's DataSource, and that DataSource still serves the application after
 * {@code pool.close()}, with its connections' search_path as the application left it.
 */
class InjectedDataSourceTest {
    private final PostgresServer server = TestServers.postgres();
    private String schema;
    private HikariDataSource appPool;

    @BeforeEach
    void applicationPool() {
        schema = "inj_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("application-pool");
        hc.setJdbcUrl(server.jdbcUrl());
        hc.setUsername(server.user());
        hc.setPassword(server.password());
        hc.setMaximumPoolSize(3);
        hc.setMinimumIdle(0);
        appPool = new HikariDataSource(hc);
    }

    @AfterEach
    void dropSchema() throws SQLException {
        try (Connection c = appPool.getConnection()) {
            Schemas.drop(c, schema);
        }
        appPool.close();
    }

    /** No DATABASE_URL, DB_HOST or DB_PASSWORD: the injected DataSource carries server and credentials. */
    private StorageConfig config() {
        return StorageConfig.builder().set("DB_SCHEMA", schema).set("DB_MIGRATE_ON_START", "true")
                .set("DB_TIMESCALEDB", "off").build();
    }

    @Test
    void rowsGoThroughTheApplicationsDataSourceWhichStaysOpenAfterThePoolCloses() throws Exception {
        CountingDataSource counting = new CountingDataSource(appPool);
        StorageConfig config = config();
        assertThat(config.postgres()).as("nothing configures PostgreSQL but the DataSource").isEmpty();

        try (StoragePool pool = StoragePool.builder(config).backend(PostgresBackendProvider.using(counting)).build()) {
            int beforeWrites = counting.borrowed.get();
            pool.usage().record(metric(1));
            pool.usage().buffered().record(metric(2));
            pool.usage().buffered().flush();

            assertThat(counting.borrowed.get()).as("connections borrowed from the application's DataSource")
                    .isGreaterThan(beforeWrites);
            assertThat(pool.analytics().usageByModel(UsageFilter.between(UsageData.START, UsageData.START.plusSeconds(60)))
                    .get(0).requests()).isEqualTo(2);
            assertThat(pool.client(DataSource.class)).containsSame(counting);
            assertThat(pool.healthCheck().component("postgres").orElseThrow().status()).isEqualTo(HealthStatus.UP);
            ConnectionPoolStats stats = pool.stats().postgres().orElseThrow();
            assertThat(stats.max()).as("the application's HikariCP pool size, found through the wrapper").isEqualTo(3);
        }

        assertThat(appPool.isClosed()).as("the pool never closes an injected DataSource").isFalse();
        try (Connection c = appPool.getConnection(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM \"" + schema + "\".llm_usage_metrics")) {
                rs.next();
                assertThat(rs.getInt(1)).as("rows the pool wrote, read by the application").isEqualTo(2);
            }
            try (ResultSet rs = st.executeQuery("SHOW search_path")) {
                rs.next();
                assertThat(rs.getString(1)).as("the application's connections keep their search_path")
                        .isEqualTo("\"$user\", public");
            }
        }
    }

    @Test
    void aRefusedLoginOfTheApplicationsDataSourceNamesThatDataSourceNotTheVariables() {
        org.postgresql.ds.PGSimpleDataSource wrong = new org.postgresql.ds.PGSimpleDataSource();
        wrong.setUrl(server.jdbcUrl());
        wrong.setUser(server.user());
        wrong.setPassword("not-the-password-" + UUID.randomUUID());
        StorageConfig config = StorageConfig.builder().set("DB_SCHEMA", schema).set("DB_TIMESCALEDB", "off")
                .set("DB_RETRY_MAX_ATTEMPTS", "1").build();

        assertThatThrownBy(() -> StoragePool.builder(config).backend(PostgresBackendProvider.using(wrong)).build())
                .isInstanceOf(ConnectionException.class)
                .hasMessageContaining("refused the login")
                .hasMessageContaining("check the user and password of the DataSource given to PostgresBackendProvider.using")
                .hasMessageNotContaining("check DB_PASSWORD")
                .hasMessageNotContaining("not-the-password-");
    }

    @Test
    void aPlainDataSourceWorksTooWithoutConnectionPoolStats() throws Exception {
        org.postgresql.ds.PGSimpleDataSource plain = new org.postgresql.ds.PGSimpleDataSource();
        plain.setUrl(server.jdbcUrl());
        plain.setUser(server.user());
        plain.setPassword(server.password());

        try (StoragePool pool = StoragePool.builder(config()).backend(PostgresBackendProvider.using(plain)).build()) {
            pool.usage().record(metric(1));

            assertThat(pool.analytics().usageByModel(UsageFilter.between(UsageData.START, UsageData.START.plusSeconds(60)))
                    .get(0).requests()).isEqualTo(1);
            assertThat(pool.stats().postgres()).as("not a HikariCP pool: no counters to report").isEmpty();
            assertThat(pool.healthCheck().status()).isEqualTo(HealthStatus.UP);
        }
    }

    private static UsageMetric metric(int second) {
        return UsageMetric.builder().time(UsageData.START.plusSeconds(second)).model("gpt-4o").provider("openai")
                .tokens(10, 5).build();
    }

    /** The application's DataSource seen through a counter of getConnection calls. */
    static final class CountingDataSource implements DataSource {
        final AtomicInteger borrowed = new AtomicInteger();
        private final DataSource delegate;

        CountingDataSource(DataSource delegate) {
            this.delegate = delegate;
        }

        @Override
        public Connection getConnection() throws SQLException {
            borrowed.incrementAndGet();
            return delegate.getConnection();
        }

        @Override
        public Connection getConnection(String user, String password) throws SQLException {
            borrowed.incrementAndGet();
            return delegate.getConnection(user, password);
        }

        @Override
        public PrintWriter getLogWriter() throws SQLException {
            return delegate.getLogWriter();
        }

        @Override
        public void setLogWriter(PrintWriter out) throws SQLException {
            delegate.setLogWriter(out);
        }

        @Override
        public void setLoginTimeout(int seconds) throws SQLException {
            delegate.setLoginTimeout(seconds);
        }

        @Override
        public int getLoginTimeout() throws SQLException {
            return delegate.getLoginTimeout();
        }

        @Override
        public Logger getParentLogger() {
            return Logger.getGlobal();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            return iface.isInstance(delegate) ? iface.cast(delegate) : delegate.unwrap(iface);
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) throws SQLException {
            return iface.isInstance(delegate) || delegate.isWrapperFor(iface);
        }
    }
}
