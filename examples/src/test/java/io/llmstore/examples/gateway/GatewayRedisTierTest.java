package io.llmstore.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.gateway.ApiKey;
import io.llmstore.core.gateway.ApiKeySpec;
import io.llmstore.core.gateway.Gateway;
import io.llmstore.core.gateway.ModelSpec;
import io.llmstore.core.price.TokenUsage;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway's two cache tiers on real PostgreSQL and Redis, with two pools standing for two application instances
 * on one schema and one Redis key prefix.
 */
class GatewayRedisTierTest {
    final PostgresServer db = TestServers.postgres();
    String schema;
    final List<StoragePool> pools = new ArrayList<>();
    RedisClient redis;
    StatefulRedisConnection<String, String> direct;

    @BeforeEach
    void setUp() {
        schema = "gr_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        redis = RedisClient.create(TestServers.redis().uri());
        direct = redis.connect();
    }

    @AfterEach
    void tearDown() throws SQLException {
        pools.forEach(StoragePool::close);
        direct.close();
        redis.shutdown();
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password())) {
            Schemas.drop(c, schema);
        }
    }

    StoragePool open(Map<String, String> extra) {
        StorageConfig.Builder b = StorageConfig.builder().databaseUrl(db.databaseUrl()).poolMaxConnections(4)
                .poolMinConnections(1).set("DB_SCHEMA", schema).set("DB_MIGRATE_ON_START", "true")
                .set("REDIS_URL", TestServers.redis().uri()).set("REDIS_KEY_PREFIX", schema + ":");
        extra.forEach(b::set);
        StoragePool p = StoragePool.create(b.build());
        pools.add(p);
        Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> p.client(RedisCacheTier.class).orElseThrow().isSubscribed());
        return p;
    }

    static String rawKey() {
        return "sk-live-" + UUID.randomUUID();
    }

    @Test
    void aRevocationOnOnePoolIsSeenByTheOtherWithinTheStatedBound() {
        Gateway a = open(Map.of()).gateway();
        Gateway b = open(Map.of()).gateway();
        for (int round = 0; round < 5; round++) {
            String raw = rawKey();
            ApiKey key = a.apiKeys().create(raw, ApiKeySpec.named("r" + round));
            assertThat(b.apiKeys().isValid(raw)).isTrue();
            assertThat(b.apiKeys().isValid(raw)).as("now a local hit in b").isTrue();
            long start = System.nanoTime();
            if (round % 2 == 0) {
                a.apiKeys().revoke(key.id());
            } else {
                a.apiKeys().disable(key.id());
            }
            long returned = System.nanoTime();
            while (b.apiKeys().isValid(raw)) {
                assertThat(Duration.ofNanos(System.nanoTime() - returned)).isLessThan(b.apiKeys().invalidationBound());
                Thread.onSpinWait();
            }
            Duration seen = Duration.ofNanos(System.nanoTime() - start);
            assertThat(seen).isLessThan(b.apiKeys().invalidationBound());
        }
        assertThat(b.apiKeys().invalidationBound()).isEqualTo(Duration.ofSeconds(1)); // REDIS_COMMAND_TIMEOUT
    }

    @Test
    void aSecondPoolIsServedByTheRedisTierAndRedisHoldsNoRawKey() {
        Gateway a = open(Map.of()).gateway();
        Gateway b = open(Map.of()).gateway();
        String raw = rawKey();
        ApiKey key = a.apiKeys().create(raw, ApiKeySpec.named("shared"));
        assertThat(a.apiKeys().getByRawKey(raw)).isEqualTo(key); // a: miss, database, stored in Redis
        String stored = direct.sync().get(schema + ":gateway:api_key:" + key.keyHash());
        assertThat(stored).contains(key.keyHash()).doesNotContain(raw);
        assertThat(b.apiKeys().getByRawKey(raw)).isEqualTo(key);
        assertThat(b.apiKeys().sharedCacheStats().hits()).as("b read it from Redis").isEqualTo(1);
        assertThat(direct.sync().pttl(schema + ":gateway:api_key:" + key.keyHash()))
                .isBetween(1L, Duration.ofMinutes(5).toMillis());
        a.apiKeys().invalidate(key.keyHash());
        assertThat(direct.sync().exists(schema + ":gateway:api_key:" + key.keyHash())).isZero();
        for (String k : direct.sync().keys(schema + ":*")) {
            String type = direct.sync().type(k);
            if ("string".equals(type)) {
                assertThat(direct.sync().get(k)).doesNotContain(raw);
            }
        }
    }

    @Test
    void aPriceStoredOnOnePoolPricesTheOthersCallsWithinTheBound() {
        Gateway a = open(Map.of()).gateway();
        Gateway b = open(Map.of()).gateway();
        a.models().registerProvider("openai", "openai");
        a.models().register(new ModelSpec("openai", "gpt-4o", List.of("4o"), 128_000));
        Instant at = Instant.parse("2026-07-01T00:00:00Z");
        TokenUsage usage = TokenUsage.of(1_000_000, 0);
        assertThat(b.models().calculateCost("4o", usage, at).orElseThrow().total()).isEqualByComparingTo("2.5");
        a.models().setPrice("gpt-4o", Map.of("input_mtok", new BigDecimal("1.75"), "output_mtok", BigDecimal.ONE),
                Instant.parse("2026-06-01T00:00:00Z"), null);
        Awaitility.await().atMost(b.models().invalidationBound())
                .pollInterval(Duration.ofMillis(5))
                .until(() -> b.models().calculateCost("4o", usage, at).orElseThrow().total()
                        .compareTo(new BigDecimal("1.75")) == 0);
    }

    @Test
    void withRedisUnreachableLookupsAndRevocationsFallThroughToTheDatabase() {
        StoragePool down = StoragePool.create(StorageConfig.builder().databaseUrl(db.databaseUrl()).poolMaxConnections(2)
                .set("DB_SCHEMA", schema).set("DB_MIGRATE_ON_START", "true").set("DB_RETRY_MAX_ATTEMPTS", "1")
                .set("REDIS_URL", "redis://127.0.0.1:1").set("REDIS_COMMAND_TIMEOUT", "200ms").build());
        pools.add(down);
        Gateway g = down.gateway();
        String raw = rawKey();
        ApiKey key = g.apiKeys().create(raw, ApiKeySpec.named("no-redis"));
        assertThat(g.apiKeys().isValid(raw)).isTrue();
        assertThat(g.apiKeys().sharedCacheStats().errors()).as("the Redis read failed open").isPositive();
        assertThatThrownBy(() -> g.apiKeys().revoke(key.id()))
                .as("the revocation is stored, but other instances cannot be told: the caller hears it")
                .isInstanceOf(io.llmstore.core.error.StorageException.class);
        assertThat(g.apiKeys().get(key.id()).revokedAt()).isNotNull();
        assertThat(g.apiKeys().isValid(raw)).as("this instance dropped its own entry first").isFalse();
        assertThatThrownBy(() -> g.budgets().reserve(g.apiKeys().create(rawKey(),
                ApiKeySpec.named("b").monthlyBudgetUsd(BigDecimal.ONE)), BigDecimal.ONE))
                .isInstanceOf(io.llmstore.core.error.StorageException.class);
    }

    @Test
    void aKeysPerMinuteLimitIsSharedByEveryPool() {
        Gateway a = open(Map.of()).gateway();
        Gateway b = open(Map.of()).gateway();
        ApiKey key = a.apiKeys().create(rawKey(), ApiKeySpec.named("rl").rateLimitPerMinute(5));
        int allowed = 0;
        for (int i = 0; i < 10; i++) {
            allowed += (i % 2 == 0 ? a : b).apiKeys().tryAcquire(key).allowed() ? 1 : 0;
        }
        assertThat(allowed).as("5 per minute across both instances, decided in Redis").isEqualTo(5);
    }

    @Test
    void withRedisTheGatewayStatsNameBothTiers() {
        StoragePool p = open(Map.of());
        String raw = rawKey();
        p.gateway().apiKeys().create(raw, ApiKeySpec.named("s"));
        p.gateway().apiKeys().getByRawKey(raw);
        p.gateway().apiKeys().getByRawKey(raw);
        assertThat(p.stats().caches()).containsKeys("llm_response", "api_key", "api_key.redis", "model", "model.redis");
        assertThat(p.stats().caches().get("api_key").hits()).isEqualTo(1);
        assertThat(p.stats().caches().get("api_key.redis").misses()).isEqualTo(1);
    }
}
