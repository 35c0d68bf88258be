package io.llmstore.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.gateway.ApiKey;
import io.llmstore.core.gateway.ApiKeySpec;
import io.llmstore.core.gateway.BudgetDecision;
import io.llmstore.core.gateway.Gateway;
import io.llmstore.core.gateway.Model;
import io.llmstore.core.gateway.ModelSpec;
import io.llmstore.core.gateway.UsageRecord;
import io.llmstore.redis.gateway.RedisCacheTier;
import io.llmstore.testkit.PostgresServer;
import io.llmstore.testkit.Schemas;
import io.llmstore.testkit.TestServers;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The real Redis server (no persistence, as the test servers run it) restarted under two pools: the budget counter is
 * rebuilt from the usage records without repeating an alert, and invalidations flow again once the pools resubscribe.
 */
class GatewayRedisRestartTest {
    final PostgresServer db = TestServers.postgres();
    final String id = "gx_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    final List<StoragePool> pools = new ArrayList<>();

    @AfterEach
    void tearDown() throws SQLException {
        TestServers.start("redis"); // no-op when running
        pools.forEach(StoragePool::close);
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password())) {
            Schemas.drop(c, id);
        }
    }

    StoragePool open() {
        StoragePool p = StoragePool.create(StorageConfig.builder().databaseUrl(db.databaseUrl()).poolMaxConnections(3)
                .set("DB_SCHEMA", id).set("DB_MIGRATE_ON_START", "true")
                .set("REDIS_URL", TestServers.redis().uri()).set("REDIS_KEY_PREFIX", id + ":").build());
        pools.add(p);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> p.client(RedisCacheTier.class).orElseThrow().isSubscribed());
        return p;
    }

    @Test
    void afterARedisRestartTheBudgetIsRebuiltFromTheRecordsAndInvalidationsFlowAgain() {
        assertThat(TestServers.canRestart("redis")).as("the test servers come from scripts/test-servers").isTrue();
        Gateway a = open().gateway();
        Gateway b = open().gateway();
        a.models().registerProvider("openai", "openai");
        Model model = a.models().register(new ModelSpec("openai", "gpt-4o", List.of(), null));
        ApiKey key = a.apiKeys().create("sk-restart-" + UUID.randomUUID(), ApiKeySpec.named("r").monthlyBudgetUsd(BigDecimal.ONE));
        spend(a, key, model, new BigDecimal("0.85"));
        String counter = id + ":budget:{" + key.id() + "}:" + YearMonth.now(ZoneOffset.UTC);

        TestServers.stop("redis");
        TestServers.start("redis");
        assertThat(redisGet(counter)).as("Redis came back empty").isNull();

        // the first call after the loss rebuilds the month from gateway_usage_records
        Awaitility.await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .until(() -> b.budgets().spent(key).compareTo(new BigDecimal("0.85")) == 0);
        assertThat(redisGet(counter)).isEqualTo("850000000");
        assertThat(redisHget(counter + ":alerts", "800000000")).as("80 % marked as already alerted").isEqualTo("rebuilt");
        BudgetDecision tooMuch = b.budgets().reserve(key, new BigDecimal("0.16"));
        assertThat(tooMuch.allowed()).isFalse();
        assertThat(tooMuch.refusal().orElseThrow()).contains("spent $0.85 of the $1 limit");

        // both pools resubscribed (Lettuce reconnects); a revocation on a reaches b within the bound again
        String raw = "sk-restart-" + UUID.randomUUID();
        ApiKey revoked = a.apiKeys().create(raw, ApiKeySpec.named("v"));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> pools.stream()
                .allMatch(p -> p.client(RedisCacheTier.class).orElseThrow().isSubscribed()));
        assertThat(b.apiKeys().isValid(raw)).isTrue();
        a.apiKeys().revoke(revoked.id());
        Awaitility.await().atMost(b.apiKeys().invalidationBound()).pollInterval(Duration.ofMillis(5))
                .until(() -> !b.apiKeys().isValid(raw));
    }

    static void spend(Gateway g, ApiKey key, Model model, BigDecimal total) {
        BudgetDecision d = g.budgets().reserve(key, total);
        assertThat(d.allowed()).isTrue();
        g.records().create(UsageRecord.of(key.id(), model, Instant.now(), 1, 1, total));
        g.budgets().settle(d, total);
    }

    static String redisGet(String key) {
        RedisClient client = RedisClient.create(TestServers.redis().uri());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            return c.sync().get(key);
        } finally {
            client.shutdown();
        }
    }

    static String redisHget(String key, String field) {
        RedisClient client = RedisClient.create(TestServers.redis().uri());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            return c.sync().hget(key, field);
        } finally {
            client.shutdown();
        }
    }
}
