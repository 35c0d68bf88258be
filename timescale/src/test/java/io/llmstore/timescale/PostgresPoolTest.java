package io.llmstore.timescale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.error.ConnectionException;
import io.llmstore.core.error.PoolExhaustedException;
import io.llmstore.core.health.HealthReport;
import io.llmstore.core.health.HealthStatus;
import io.llmstore.core.stats.ConnectionPoolStats;
import io.llmstore.core.usage.MigrationResult;
import io.llmstore.core.usage.UsageMetric;
import io.llmstore.testkit.PostgresServer;
import io.llmstore.testkit.TestServers;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** StoragePool with the postgres backend on real PostgreSQL: start-up, health, stats, exhaustion, failures. */
class PostgresPoolTest {
    private final PostgresServer server = TestServers.postgres();
    private final List<StoragePool> pools = new ArrayList<>();
    private String schema;

    @BeforeEach
    void newSchema() {
        schema = "p_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    @AfterEach
    void dropSchemaAndClose() throws Exception {
        try (StoragePool p = StoragePool.create(config(server.databaseUrl(), 2, Duration.ofSeconds(5)).build());
             Connection c = p.client(DataSource.class).orElseThrow().getConnection(); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
        }
        pools.forEach(StoragePool::close);
    }

    StorageConfig.Builder config(String url, int max, Duration connectTimeout) {
        return StorageConfig.builder().databaseUrl(url).poolMaxConnections(max).poolMinConnections(0)
                .connectTimeout(connectTimeout).retryMaxAttempts(2).set("DB_SCHEMA", schema);
    }

    StoragePool open(StorageConfig.Builder b) {
        StoragePool p = StoragePool.create(b.build());
        pools.add(p);
        return p;
    }

    @Test
    void analyticsReadFromTheReplicaGivenByDbReadUrlWhileWritesStayOnThePrimary() throws Exception {
        String appName = "llmstore-read-" + schema;
        String replicaUrl = server.databaseUrl() + (server.databaseUrl().contains("?") ? "&" : "?")
                + "application_name=" + appName;
        StoragePool pool = open(config(server.databaseUrl(), 2, Duration.ofSeconds(5))
                .set("DB_MIGRATE_ON_START", "true").set("DB_READ_URL", replicaUrl));
        pool.usage().record(UsageMetric.builder().time(UsageData.START).model("gpt-4o").provider("openai")
                .tokens(10, 5).build());

        List<io.llmstore.core.usage.ModelUsage> usage = pool.analytics().usageByModel(
                io.llmstore.core.usage.UsageFilter.between(UsageData.START, UsageData.START.plusSeconds(1)));

        assertThat(usage).singleElement().satisfies(u -> assertThat(u.tokenTotal()).isEqualTo(15));
        try (Connection c = pool.client(DataSource.class).orElseThrow().getConnection(); Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE application_name = '"
                     + appName + "'")) {
            rs.next();
            assertThat(rs.getInt(1)).as("connections of the read pool").isPositive();
        }
        assertThat(pool.client(DataSource.class).orElseThrow()).isInstanceOf(com.zaxxer.hikari.HikariDataSource.class)
                .satisfies(ds -> assertThat(((com.zaxxer.hikari.HikariDataSource) ds).getPoolName()).isEqualTo("llmstore-postgres"));
    }

    @Test
    void aPoolFromADatabaseUrlIsHealthyAndItsStatsShowAHeldConnection() throws Exception {
        StoragePool pool = open(config(server.databaseUrl(), 3, Duration.ofSeconds(5)).set("DB_MIGRATE_ON_START", "true"));
        HealthReport health = pool.healthCheck();
        assertThat(health.status()).isEqualTo(HealthStatus.UP);
        try (Connection held = pool.client(DataSource.class).orElseThrow().getConnection()) {
            ConnectionPoolStats stats = pool.stats().postgres().orElseThrow();
            assertThat(stats.active()).isEqualTo(1);
            assertThat(stats.max()).isEqualTo(3);
            assertThat(stats.total()).isGreaterThanOrEqualTo(1);
        }
        assertThat(pool.stats().postgres().orElseThrow().active()).isZero();
        pool.usage().record(UsageMetric.builder().time(UsageData.START).model("gpt-4o").provider("openai").build());
        pool.close();
        pool.close(); // idempotent
        assertThat(pool.isClosed()).isTrue();
        assertThatThrownBy(pool::usage).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aCallWaitingLongerThanTheConnectTimeoutGetsPoolExhaustedException() throws Exception {
        StoragePool pool = open(config(server.databaseUrl(), 1, Duration.ofMillis(500)).set("DB_MIGRATE_ON_START", "true"));
        UsageMetric row = UsageMetric.builder().time(UsageData.START).model("gpt-4o").provider("openai").build();
        try (Connection held = pool.client(DataSource.class).orElseThrow().getConnection()) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> pool.usage().record(row))
                    .isInstanceOf(PoolExhaustedException.class)
                    .hasMessageContaining("DB_POOL_MAX_CONNECTIONS");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(400), Duration.ofSeconds(5));
            assertThat(pool.stats().postgres().orElseThrow().active()).isEqualTo(1);
        }
        pool.usage().record(row); // free again
    }

    @Test
    void aWrongPasswordFailsWithConnectionExceptionAfterTheConfiguredAttemptsInBoundedTime() {
        String url = server.databaseUrl().replace(":" + server.password() + "@", ":wrong-password@");
        assertThat(url).isNotEqualTo(server.databaseUrl());
        long start = System.nanoTime();
        assertThatThrownBy(() -> open(config(url, 1, Duration.ofSeconds(1))))
                .isInstanceOf(ConnectionException.class)
                .hasMessageStartingWith("PostgreSQL connection failed after 2 attempts")
                .hasMessageContaining("password authentication failed")
                .hasMessageNotContaining("wrong-password");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void aPoolWithoutAnyPasswordOpensRecordsAndIsHealthyOnATrustServer() throws Exception {
        try (TrustCluster trust = TrustCluster.start();
             StoragePool pool = StoragePool.create(StorageConfig.builder().databaseUrl(trust.databaseUrlWithoutPassword())
                     .set("DB_MIGRATE_ON_START", "true").build())) {
            UsageMetric metric = UsageMetric.builder().time(UsageData.START).model("gpt-4o").provider("openai")
                    .tokens(10, 5).build();
            pool.usage().record(metric);

            assertThat(pool.config().postgres().orElseThrow().password()).isNull();
            assertThat(pool.healthCheck().status()).isEqualTo(HealthStatus.UP);
            assertThat(pool.analytics().rows(io.llmstore.core.usage.UsageFilter.between(UsageData.START,
                    UsageData.START.plusSeconds(1)), java.util.Optional.empty(), 10).rows()).containsExactly(metric);
        }
    }

    @Test
    void aServerThatAsksForAPasswordWhenNoneIsConfiguredFailsNamingDbPasswordAndDatabaseUrl() {
        String url = server.databaseUrl().replace(":" + server.password() + "@", "@");
        assertThat(url).doesNotContain(server.password());

        assertThatThrownBy(() -> open(config(url, 1, Duration.ofSeconds(1)).retryMaxAttempts(1)))
                .isInstanceOf(ConnectionException.class)
                .hasMessageContaining("the server asks for a password and none is configured: set DB_PASSWORD, or give "
                        + "it in DATABASE_URL");
    }

    @Test
    void twoInstancesMigratingAtOnceApplyEachVersionExactlyOnce() throws Exception {
        StoragePool a = open(config(server.databaseUrl(), 2, Duration.ofSeconds(5)));
        StoragePool b = open(config(server.databaseUrl(), 2, Duration.ofSeconds(5)));
        CountDownLatch go = new CountDownLatch(1);
        CompletableFuture<MigrationResult> ra = CompletableFuture.supplyAsync(() -> await(go, a.usage()::migrate));
        CompletableFuture<MigrationResult> rb = CompletableFuture.supplyAsync(() -> await(go, b.usage()::migrate));
        go.countDown();
        List<Integer> applied = new ArrayList<>(ra.get().applied());
        applied.addAll(rb.get().applied());
        assertThat(applied).containsExactly(1, 3, 4, 5);
        assertThat(ra.get().current()).isEqualTo(5);
        assertThat(rb.get().current()).isEqualTo(5);
        try (Connection c = a.client(DataSource.class).orElseThrow().getConnection(); Statement st = c.createStatement();
             var rs = st.executeQuery("SELECT count(*) FROM llmstore_schema_history WHERE feature = 'usage'")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(4);
        }
    }

    @Test
    void anInvalidSchemaNameFailsAtStartNamingTheVariable() {
        assertThatThrownBy(() -> open(config(server.databaseUrl(), 1, Duration.ofSeconds(1)).set("DB_SCHEMA", "x\"; DROP")))
                .hasMessageContaining("DB_SCHEMA");
    }

    private static MigrationResult await(CountDownLatch go, java.util.function.Supplier<MigrationResult> s) {
        try {
            go.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return s.get();
    }
}
