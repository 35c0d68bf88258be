package io.llmstore.integration.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.error.ConfigException;
import io.llmstore.core.ratelimit.RateLimit;
import io.llmstore.core.ratelimit.RateLimitPolicy;
import io.llmstore.core.ratelimit.RateLimiter;
import io.llmstore.core.usage.UsageMetric;
import io.llmstore.testkit.TestServers;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad and hostile inputs, one table row each: either a clear error (type + a message fragment naming the field or
 * variable) before anything is stored, or storage verbatim, read back equal from the real server.
 *
 * <p>Decisions recorded here: an unpaired UTF-16 surrogate (in a text field or inside metadata) and {@code \u0000}
 * inside metadata are rejected naming the field, because PostgreSQL would otherwise store {@code ?} or fail the whole
 * batch; costs are stored exactly to the column's 18 decimal places ({@code NUMERIC(28,18)}, documented on
 * {@link UsageMetric}), and a cost with more decimals is rejected naming {@code costUsd}, never rounded.
 */
class BadInputTest {
    private static final String SCHEMA = FaultSupport.newSchema();
    private static StoragePool pool;

    @BeforeAll
    static void openPool() {
        pool = FaultSupport.pool(FaultSupport.postgresConfig(TestServers.postgres().databaseUrl(), SCHEMA)
                .redisUrl(TestServers.redis().uri())
                .set("REDIS_KEY_PREFIX", "bad-input-" + UUID.randomUUID() + ":"));
    }

    @AfterAll
    static void closePool() {
        pool.close();
        FaultSupport.dropSchema(SCHEMA);
    }

    private static UsageMetric.Builder valid() {
        return UsageMetric.builder().time(Instant.parse("2026-03-01T00:00:00Z")).model("gpt-4o").provider("openai")
                .tokens(10, 5);
    }

    static Stream<Arguments> rejectedRows() {
        String tenMb = "{\"blob\":\"" + "x".repeat(10 * 1024 * 1024) + "\"}";
        return Stream.of(
                row("null time", b -> b.time(null), "time must not be null"),
                row("null model", b -> b.model(null), "modelId must not be blank, was null"),
                row("blank provider", b -> b.provider(" \t "), "provider must not be blank"),
                row("empty model", b -> b.model(""), "modelId must not be blank"),
                row("negative input tokens", b -> b.tokens(-3, 5), "tokenInput must be >= 0, was -3"),
                row("negative requests", b -> b.requests(-1), "requestCount must be >= 0, was -1"),
                row("negative errors", b -> b.errors(-2), "errorCount must be >= 0, was -2"),
                row("token total overflowing a long", b -> b.tokens(Long.MAX_VALUE, 1), "tokenTotal"),
                row("negative cost", b -> b.costUsd(new BigDecimal("-0.01")), "costUsd must be >= 0, was -0.01"),
                row("cost above NUMERIC(28,18)", b -> b.costUsd(new BigDecimal("10000000000")),
                        "costUsd must be <= 9999999999.999999999999999999"),
                row("cost with 19 decimal places", b -> b.costUsd(new BigDecimal("0.0000000000000000001")),
                        "costUsd must have at most 18 decimal places (NUMERIC(28,18)), was 0.0000000000000000001"),
                row("NaN latency", b -> b.latencyMs(Double.NaN), "avgLatencyMs must be a finite number >= 0, was NaN"),
                row("infinite latency", b -> b.latencyMs(Double.POSITIVE_INFINITY), "avgLatencyMs must be a finite number >= 0, was Infinity"),
                row("negative latency", b -> b.latencyMs(-1), "avgLatencyMs must be a finite number >= 0, was -1.0"),
                row("model of 256 characters", b -> b.model("m".repeat(256)), "modelId must be at most 255 characters, was 256"),
                row("NUL in user", b -> b.user("a\0b"), "userId must not contain NUL"),
                row("unpaired high surrogate in user", b -> b.user("a\uD800b"), "userId must not contain an unpaired UTF-16 surrogate"),
                row("unpaired low surrogate in application", b -> b.application("\uDC00"), "applicationId must not contain an unpaired UTF-16 surrogate"),
                row("reversed surrogate pair in environment", b -> b.environment("\uDE00\uD83D"), "environment must not contain an unpaired UTF-16 surrogate"),
                row("10 MB metadata", b -> b.metadata(tenMb), "metadata must be at most 16384 bytes of UTF-8 (USAGE_METADATA_MAX_BYTES)"),
                row("invalid JSON metadata", b -> b.metadata("{\"a\":"), "metadata must be valid JSON"),
                row("metadata not an object", b -> b.metadata("[1,2]"), "metadata must be a JSON object"),
                row("two JSON objects", b -> b.metadata("{}{}"), "metadata must be a single JSON object"),
                row("metadata with an escaped NUL", b -> b.metadata("{\"k\":\"a\\u0000b\"}"), "metadata must not contain"),
                row("metadata with an escaped lone surrogate", b -> b.metadata("{\"k\":\"\\ud800\"}"), "metadata must not contain"),
                row("metadata with a raw lone surrogate", b -> b.metadata("{\"k\":\"\uD800\"}"), "metadata must not contain"),
                row("metadata key with a lone surrogate", b -> b.metadata("{\"\uDC00\":1}"), "metadata must not contain"));
    }

    private static Arguments row(String name, UnaryOperator<UsageMetric.Builder> bad, String fragment) {
        return Arguments.of(name, bad, fragment);
    }

    @ParameterizedTest(name = "{0} is rejected")
    @MethodSource("rejectedRows")
    void aBadUsageRowIsRejectedNamingTheFieldAndNothingIsStored(String name, UnaryOperator<UsageMetric.Builder> bad,
                                                                 String fragment) throws Exception {
        UUID id = UUID.randomUUID();
        assertThatThrownBy(() -> pool.usage().record(bad.apply(valid().eventId(id)).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(fragment);
        assertThatThrownBy(() -> pool.usage().buffered().record(bad.apply(valid().eventId(id)).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(fragment);
        assertThat(FaultSupport.countOf(SCHEMA, java.util.List.of(id))).isZero();
    }

    static Stream<Arguments> storedRows() {
        return Stream.of(
                Arguments.of("SQL-looking user, application, environment", valid()
                        .user("'); DROP TABLE llm_usage_metrics; --").application("1 OR 1=1; SELECT pg_sleep(10)")
                        .environment("$$ \\x00 E'\\n' $$")),
                Arguments.of("Lua-looking model and provider", valid()
                        .model("redis.call('FLUSHALL')").provider("]] .. os.exit() --[[")),
                Arguments.of("COPY-special characters", valid()
                        .user("tab\there\nnewline\r\\N back\\slash").application("\\.").environment("\"quoted\"")),
                Arguments.of("valid surrogate pairs and other scripts", valid()
                        .user("\uD83E\uDD84 名前 ñ Ω").application("\uD835\uDD38")),
                Arguments.of("largest long token count", valid().tokens(Long.MAX_VALUE, 0)),
                Arguments.of("largest cost", valid().costUsd(new BigDecimal("9999999999.999999999999999999"))),
                Arguments.of("largest finite latency", valid().latencyMs(Double.MAX_VALUE)),
                Arguments.of("metadata with quotes, escapes and SQL", valid()
                        .metadata("{\"q\":\"it's \\\"x\\\"\\n\",\"sql\":\"'; DROP TABLE x; --\",\"emoji\":\"\\ud83e\\udd84\",\"n\":1.5e300}")),
                Arguments.of("metadata just under the cap", valid()
                        .metadata("{\"k\":\"" + "y".repeat(16384 - 10) + "\"}")));
    }

    @ParameterizedTest(name = "{0} is stored verbatim")
    @MethodSource("storedRows")
    void aHostileButValidRowIsStoredVerbatim(String name, UsageMetric.Builder builder) throws Exception {
        UsageMetric m = builder.build();
        pool.usage().record(m);
        try (Connection c = FaultSupport.admin();
             PreparedStatement ps = c.prepareStatement("SELECT model_id, provider, user_id, application_id, environment,"
                     + " token_input, token_total, cost_usd, avg_latency_ms,"
                     + " (metadata IS NOT DISTINCT FROM ?::jsonb) FROM " + SCHEMA
                     + ".llm_usage_metrics WHERE event_id = ?")) {
            ps.setString(1, m.metadata());
            ps.setObject(2, m.eventId());
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo(m.modelId());
                assertThat(rs.getString(2)).isEqualTo(m.provider());
                assertThat(rs.getString(3)).isEqualTo(m.userId());
                assertThat(rs.getString(4)).isEqualTo(m.applicationId());
                assertThat(rs.getString(5)).isEqualTo(m.environment());
                assertThat(rs.getLong(6)).isEqualTo(m.tokenInput());
                assertThat(rs.getLong(7)).isEqualTo(m.tokenTotal());
                if (m.costUsd() == null) {
                    assertThat(rs.getBigDecimal(8)).isNull();
                } else {
                    assertThat(rs.getBigDecimal(8)).isEqualByComparingTo(m.costUsd());
                }
                assertThat(rs.getDouble(9)).isEqualTo(m.avgLatencyMs());
                assertThat(rs.getBoolean(10)).as("metadata equal as JSON").isTrue();
                assertThat(rs.next()).isFalse();
            }
        }
    }

    @ParameterizedTest(name = "cost {0} is stored as {1}")
    @MethodSource("exactCosts")
    void aCostWithUpToEighteenDecimalsIsStoredExactly(String given, String stored) throws Exception {
        UsageMetric m = valid().costUsd(new BigDecimal(given)).build();
        pool.usage().record(m);
        try (Connection c = FaultSupport.admin();
             PreparedStatement ps = c.prepareStatement("SELECT cost_usd FROM " + SCHEMA
                     + ".llm_usage_metrics WHERE event_id = ?")) {
            ps.setObject(1, m.eventId());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getBigDecimal(1)).isEqualByComparingTo(stored);
            }
        }
    }

    static Stream<Arguments> exactCosts() {
        // NUMERIC(10,6) stored these as 0, 0.000001, 1.234568 and 0.123457
        return Stream.of(Arguments.of("0.0000004", "0.0000004"), Arguments.of("0.0000005", "0.0000005"),
                Arguments.of("1.23456789", "1.23456789"), Arguments.of("0.1234567", "0.1234567"),
                Arguments.of("0.000000000000000001", "0.000000000000000001"));
    }

    static Stream<Arguments> hostileKeys() {
        return Stream.of(
                Arguments.of("a key with spaces"),
                Arguments.of("line one\nline two\r\n"),
                Arguments.of("redis.call('FLUSHALL') -- KEYS *"),
                Arguments.of("{hash}tag} and } braces {"),
                Arguments.of("\uD83E\uDD84 名前"),
                Arguments.of("'; DROP TABLE users; --"));
    }

    @ParameterizedTest(name = "Redis key {0}")
    @MethodSource("hostileKeys")
    void hostileRedisKeysWorkAndReadBackEqual(String key) {
        pool.cache().put("model " + key, "prompt " + key, "answer " + key, Duration.ofMinutes(1));
        assertThat(pool.cache().get("model " + key, "prompt " + key)).contains("answer " + key);
        assertThat(pool.cache().get("model " + key, "prompt " + key + " ")).isEmpty();

        pool.sessions().create(key, Map.of("user", key, "n", 3), Duration.ofMinutes(1));
        assertThat(pool.sessions().get(key)).hasValueSatisfying(data -> assertThat(data).containsEntry("user", key));
        assertThat(pool.sessions().delete(key)).isTrue();
        assertThat(pool.sessions().get(key)).isEmpty();

        RateLimiter limiter = pool.limits().limiter(RateLimitPolicy.of(RateLimit.of("rpm", 2, Duration.ofMinutes(1))));
        assertThat(limiter.tryAcquire(key, 1).allowed()).isTrue();
        assertThat(limiter.tryAcquire(key, 1).allowed()).isTrue();
        assertThat(limiter.tryAcquire(key, 1).allowed()).isFalse();
        assertThat(limiter.tryAcquire(key + "x", 1).allowed()).as("a different key has its own budget").isTrue();
    }

    static Stream<Arguments> malformedEnvironment() {
        return Stream.of(
                Arguments.of("DB_PORT", "fifty-four-thirty-two"),
                Arguments.of("DB_PORT", "99999"),
                Arguments.of("DB_POOL_MAX_CONNECTIONS", "0"),
                Arguments.of("DB_POOL_CONNECT_TIMEOUT", "5 minutes"),
                Arguments.of("DB_RETRY_MAX_ATTEMPTS", "-1"),
                Arguments.of("DB_RETRY_MULTIPLIER", "NaN"),
                Arguments.of("DB_SSL_MODE", "sometimes"),
                Arguments.of("USAGE_FLUSH_INTERVAL", "1 second"),
                Arguments.of("USAGE_BUFFER_CAPACITY", "99999999999"),
                Arguments.of("USAGE_BUFFER_FULL_POLICY", "drop"),
                Arguments.of("DB_MIGRATE_ON_START", "yes please"),
                Arguments.of("DB_SCHEMA", "x; DROP SCHEMA public"),
                Arguments.of("REDIS_COMMAND_TIMEOUT", "-5s"));
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("malformedEnvironment")
    void aMalformedEnvironmentValueFailsAtLoadNamingTheVariable(String variable, String value) {
        // Module variables are read when the pool opens, before any connection: both count as load time.
        assertThatThrownBy(() -> {
            // A closed port and one attempt: should a value slip through, the test fails fast on the connection.
            Map<String, String> env = new java.util.HashMap<>(Map.of("DB_HOST", "127.0.0.1", "DB_PORT", "1",
                    "DB_PASSWORD", "unused", "DB_RETRY_MAX_ATTEMPTS", "1", "REDIS_URL", "redis://127.0.0.1:1"));
            env.put(variable, value);
            StorageConfig config = StorageConfig.builder().environment(env).build();
            StoragePool.create(config).close();
        }).isInstanceOf(ConfigException.class).hasMessageContaining(variable);
    }

    @ParameterizedTest(name = "YAML {0}")
    @MethodSource("wrongYamlTypes")
    void yamlWithWrongTypesFailsNamingTheVariable(String yaml, String variable, @TempDir Path dir) throws Exception {
        Path file = dir.resolve("llmstore.yaml");
        Files.writeString(file, "postgres:\n  host: 127.0.0.1\n  port: 1\n  password: unused\n" + yaml);
        assertThatThrownBy(() -> StoragePool.create(StorageConfig.builder().yamlFile(file).build()).close())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(variable);
    }

    static Stream<Arguments> wrongYamlTypes() {
        return Stream.of(
                Arguments.of("pool:\n  max_connections: [1, 2]\n", "DB_POOL_MAX_CONNECTIONS"),
                Arguments.of("pool:\n  connect_timeout: true\n", "DB_POOL_CONNECT_TIMEOUT"),
                Arguments.of("retry:\n  max_attempts: 2.5\n", "DB_RETRY_MAX_ATTEMPTS"),
                Arguments.of("usage:\n  buffer_capacity: lots\n", "USAGE_BUFFER_CAPACITY"));
    }
}
