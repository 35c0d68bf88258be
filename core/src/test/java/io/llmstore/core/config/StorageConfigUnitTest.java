package io.llmstore.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmstore.core.error.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StorageConfigUnitTest {
    private static final String SECRET = "s3cr3t-Pa55:/@word";
    private static final String ENCODED_SECRET = "s3cr3t-Pa55%3A%2F%40word";

    @TempDir
    Path dir;

    private StorageConfig.Builder isolated() {
        return StorageConfig.builder().environment(Map.of()).systemProperties(new Properties())
                .dotEnvFile(dir.resolve("absent.env"));
    }

    @Test
    void nothingSetMeansNoBackendConfiguredAndDocumentedDefaults() {
        StorageConfig config = isolated().build();

        assertThat(config.postgres()).isEmpty();
        assertThat(config.redis()).isEmpty();
        assertThat(config.kafka()).isEmpty();
        assertThat(config.retry()).isEqualTo(RetrySettings.DEFAULT);
    }

    @Test
    void databaseUrlGivesEveryPartIncludingSslModeApplicationNameAndExtraParameters() {
        StorageConfig config = isolated().environment(Map.of("DATABASE_URL",
                "postgresql://app:" + ENCODED_SECRET + "@db.example:6543/metrics?sslmode=require&application_name=gw&prepareThreshold=0"))
                .build();

        PostgresConfig pg = config.postgres().orElseThrow();
        assertThat(pg.host()).isEqualTo("db.example");
        assertThat(pg.port()).isEqualTo(6543);
        assertThat(pg.database()).isEqualTo("metrics");
        assertThat(pg.user()).isEqualTo("app");
        assertThat(pg.password().reveal()).isEqualTo(SECRET);
        assertThat(pg.sslMode()).isEqualTo(SslMode.REQUIRE);
        assertThat(pg.applicationName()).isEqualTo("gw");
        assertThat(pg.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:6543/metrics?sslmode=require&ApplicationName=gw&prepareThreshold=0");
    }

    @Test
    void individualVariablesWithDefaults() {
        StorageConfig config = isolated().environment(Map.of("DB_PASSWORD", "pw", "DB_POOL_CONNECT_TIMEOUT", "7")).build();

        PostgresConfig pg = config.postgres().orElseThrow();
        assertThat(pg.host()).isEqualTo("localhost");
        assertThat(pg.port()).isEqualTo(5432);
        assertThat(pg.database()).isEqualTo("llm_observatory");
        assertThat(pg.user()).isEqualTo("postgres");
        assertThat(pg.sslMode()).isEqualTo(SslMode.PREFER);
        assertThat(pg.poolMaxConnections()).isEqualTo(10);
        assertThat(pg.poolMinConnections()).isEqualTo(1);
        assertThat(pg.connectTimeout()).isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void precedenceIsBuilderThenSystemPropertiesThenEnvironmentThenDotEnvThenYamlThenDefaults() throws IOException {
        Path yaml = dir.resolve("llmstore.yml");
        Files.writeString(yaml, """
                postgres:
                  host: from-yaml
                  port: 1111
                  name: yamldb
                  user: yamluser
                  password: yamlpw
                pool:
                  max_connections: 44
                """);
        Path env = dir.resolve(".env");
        Files.writeString(env, "DB_PORT=2222\nexport DB_NAME='dotenvdb'\nDB_USER=dotenvuser # comment\n");
        Properties props = new Properties();
        props.setProperty("DB_USER", "propuser");

        StorageConfig config = StorageConfig.builder()
                .environment(Map.of("DB_NAME", "envdb", "DB_USER", "envuser"))
                .systemProperties(props)
                .dotEnvFile(env)
                .yamlFile(yaml)
                .set("DB_HOST", "from-builder")
                .build();

        PostgresConfig pg = config.postgres().orElseThrow();
        assertThat(pg.host()).isEqualTo("from-builder");       // builder beats YAML
        assertThat(pg.user()).isEqualTo("propuser");           // system property beats env and .env
        assertThat(pg.database()).isEqualTo("envdb");          // env beats .env and YAML
        assertThat(pg.port()).isEqualTo(2222);                 // .env beats YAML
        assertThat(pg.poolMaxConnections()).isEqualTo(44);     // YAML beats default
        assertThat(pg.poolMinConnections()).isEqualTo(1);      // default
        assertThat(config.settings().find("DB_PORT").orElseThrow().origin()).startsWith(".env file");
        assertThat(config.settings().find("DB_POOL_MAX_CONNECTIONS").orElseThrow().origin())
                .isEqualTo("pool.max_connections in YAML file " + yaml);
    }

    @Test
    void yamlSectionsMapToTheSameVariables() throws IOException {
        Path yaml = dir.resolve("c.yaml");
        Files.writeString(yaml, """
                postgres:
                  url: postgresql://u:pw@h:5433/d
                retry:
                  max_attempts: 7
                redis:
                  url: redis://:pw@127.0.0.1:6380/2
                  command_timeout: 250ms
                kafka:
                  bootstrap_servers: [ "a:9092", "b:9093" ]
                cache:
                  api_key:
                    size: 500
                    ttl: 5m
                """);

        StorageConfig config = isolated().yamlFile(yaml).build();

        assertThat(config.postgres().orElseThrow().port()).isEqualTo(5433);
        assertThat(config.retry().maxAttempts()).isEqualTo(7);
        RedisConfig redis = config.redis().orElseThrow();
        assertThat(redis.port()).isEqualTo(6380);
        assertThat(redis.database()).isEqualTo(2);
        assertThat(redis.commandTimeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(config.kafka().orElseThrow().bootstrapServers()).containsExactly("a:9092", "b:9093");
        assertThat(config.cache("api_key", 100, Duration.ofMinutes(1))).isEqualTo(new CacheSpec("api_key", 500, Duration.ofMinutes(5)));
    }

    @Test
    void cacheSpecsComeFromCacheNameSizeAndTtlVariables() {
        StorageConfig config = isolated().environment(Map.of("CACHE_API_KEY_SIZE", "1000", "CACHE_API_KEY_TTL", "5m")).build();

        assertThat(config.cache("api_key", 10, Duration.ofSeconds(1))).isEqualTo(new CacheSpec("api_key", 1000, Duration.ofMinutes(5)));
        assertThat(config.cache("model", 10, Duration.ofSeconds(30))).isEqualTo(new CacheSpec("model", 10, Duration.ofSeconds(30)));
        assertThatThrownBy(() -> isolated().set("CACHE_MODEL_TTL", "soon").build().cache("model", 1, Duration.ofSeconds(1)))
                .isInstanceOf(ConfigException.class)
                .hasMessage("CACHE_MODEL_TTL (builder) must be a duration such as 250ms, 30s, 5m, 2h or a number of seconds, was 'soon'");
    }

    @Test
    void noPasswordIsAcceptedForTrustOrPeerAuthentication() {
        PostgresConfig pg = isolated().environment(Map.of("DB_HOST", "db")).build().postgres().orElseThrow();
        assertThat(pg.password()).isNull();
        assertThat(pg.toString()).contains("password=none");

        PostgresConfig fromUrl = isolated().databaseUrl("postgresql://app@db:5432/x").build().postgres().orElseThrow();
        assertThat(fromUrl.user()).isEqualTo("app");
        assertThat(fromUrl.password()).isNull();
        assertThat(isolated().databaseUrl("postgresql://app@db/x").dbPassword("pw").build().postgres().orElseThrow()
                .password().reveal()).isEqualTo("pw");
    }

    @Test
    void aUrlPasswordThatIsNotPercentEncodedFailsNamingTheVariableAndTheFixWithoutTheSecret() {
        for (String password : List.of("Zq8%zzWv4", "Wv4Zq8-100%", "Zq8@Wv4#k", "Zq8/Wv4?k", "Zq8 Wv4[k]")) {
            for (String variable : List.of("DATABASE_URL", "DB_READ_URL", "REDIS_URL")) {
                String url = (variable.equals("REDIS_URL") ? "redis://default:" : "postgresql://app:")
                        + password + "@host.example:5432/" + (variable.equals("REDIS_URL") ? "0" : "db");
                Map<String, String> env = variable.equals("DB_READ_URL")
                        ? Map.of("DB_PASSWORD", "x", variable, url) : Map.of(variable, url);
                assertThatThrownBy(() -> isolated().environment(env).build())
                        .as(variable + " with password " + password)
                        .isInstanceOf(ConfigException.class)
                        .hasMessageStartingWith(variable + " (environment) has credentials")
                        .hasMessageContaining("Percent-encode the password")
                        .hasMessageContaining("DB_PASSWORD")
                        .satisfies(e -> assertNoPieceOfSecret(e, password));
            }
        }
        // Encoded, the same passwords load and decode exactly.
        assertThat(isolated().databaseUrl("postgresql://app:Zq8%25zzWv4@h/db").build().postgres().orElseThrow()
                .password().reveal()).isEqualTo("Zq8%zzWv4");
        assertThat(isolated().databaseUrl("postgresql://app:Zq8%40Wv4%23k@h/db").build().postgres().orElseThrow()
                .password().reveal()).isEqualTo("Zq8@Wv4#k");
    }

    @Test
    void aBadPercentEscapeInAUrlParameterFailsNamingTheParameterNotItsValue() {
        assertThatThrownBy(() -> isolated().databaseUrl("postgresql://app:pw@h/db?sslpassword=Zq8%zzWv4").build())
                .isInstanceOf(ConfigException.class)
                .hasMessage("DATABASE_URL (builder) has a bad '%' escape in parameter sslpassword: a '%' must be followed "
                        + "by two hex digits (write a literal '%' as %25)")
                .hasNoCause();
    }

    @Test
    void sslModeIsValidatedInTheVariableAndTheUrlAndTheUrlWins() {
        assertBad(Map.of("DATABASE_URL", "postgresql://u:p@h/db?sslmode=require", "DB_SSL_MODE", "sometimes"),
                "DB_SSL_MODE (environment) must be one of disable|allow|prefer|require|verify-ca|verify-full, was 'sometimes'");
        assertBad(Map.of("DATABASE_URL", "postgresql://u:p@h/db?sslmode=sometimes", "DB_SSL_MODE", "require"),
                "DATABASE_URL parameter sslmode must be one of disable|allow|prefer|require|verify-ca|verify-full, was 'sometimes'");

        assertThat(isolated().environment(Map.of("DATABASE_URL", "postgresql://u:p@h/db?sslmode=require", "DB_SSL_MODE", "disable"))
                .build().postgres().orElseThrow().sslMode()).isEqualTo(SslMode.REQUIRE);
        assertThat(isolated().environment(Map.of("DATABASE_URL", "postgresql://u:p@h/db", "DB_SSL_MODE", "verify-full"))
                .build().postgres().orElseThrow().sslMode()).isEqualTo(SslMode.VERIFY_FULL);
        PostgresConfig withReplica = isolated().environment(Map.of("DATABASE_URL", "postgresql://u:p@h/db?sslmode=disable",
                "DB_READ_URL", "postgresql://u:p@r/db", "DB_SSL_MODE", "verify-ca")).build().postgres().orElseThrow();
        assertThat(withReplica.sslMode()).isEqualTo(SslMode.DISABLE);
        assertThat(withReplica.readReplica().orElseThrow().sslMode()).isEqualTo(SslMode.VERIFY_CA);
    }

    /** No 3-character piece of {@code secret} in any message of the exception, its causes or suppressed ones. */
    private static void assertNoPieceOfSecret(Throwable thrown, String secret) {
        List<Throwable> all = new java.util.ArrayList<>();
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            all.add(t);
            all.addAll(List.of(t.getSuppressed()));
        }
        for (Throwable t : all) {
            String message = String.valueOf(t.getMessage());
            for (int i = 0; i + 3 <= secret.length(); i++) {
                assertThat(message).as("message of " + t.getClass().getName()).doesNotContain(secret.substring(i, i + 3));
            }
        }
    }

    @Test
    void malformedValuesFailAtLoadNamingVariableOriginAndExpectedForm() {
        assertBad(Map.of("DB_PASSWORD", "x", "DB_POOL_MAX_CONNECTIONS", "lots"),
                "DB_POOL_MAX_CONNECTIONS (environment) must be an integer >= 1, was 'lots'");
        assertBad(Map.of("DB_PASSWORD", "x", "DB_POOL_MAX_CONNECTIONS", "-5"),
                "DB_POOL_MAX_CONNECTIONS (environment) must be an integer >= 1, was '-5'");
        assertBad(Map.of("DB_PASSWORD", "x", "DB_POOL_MIN_CONNECTIONS", "8", "DB_POOL_MAX_CONNECTIONS", "4"),
                "DB_POOL_MIN_CONNECTIONS (8) must be <= DB_POOL_MAX_CONNECTIONS (4)");
        assertBad(Map.of("DB_PASSWORD", "x", "DB_SSL_MODE", "sometimes"),
                "DB_SSL_MODE (environment) must be one of disable|allow|prefer|require|verify-ca|verify-full, was 'sometimes'");
        assertBad(Map.of("DB_PASSWORD", "x", "DB_PORT", "70000"),
                "DB_PORT (environment) must be a port between 1 and 65535, was '70000'");
        assertBad(Map.of("DB_PASSWORD", "x", "DB_POOL_CONNECT_TIMEOUT", "forever"),
                "DB_POOL_CONNECT_TIMEOUT (environment) must be a duration such as 250ms, 30s, 5m, 2h or a number of seconds, was 'forever'");
        assertBad(Map.of("DB_RETRY_MAX_ATTEMPTS", "0"), "DB_RETRY_MAX_ATTEMPTS (environment) must be an integer >= 1, was '0'");
        assertBad(Map.of("KAFKA_BOOTSTRAP_SERVERS", "localhost"),
                "KAFKA_BOOTSTRAP_SERVERS (environment) must be a comma-separated list of host:port, was 'localhost'");
        assertBad(Map.of("REDIS_URL", "http://cache:6379"),
                "REDIS_URL (environment) must be a URL of the form redis://[user:pass@]host:port[/db] or rediss://..., was 'http://cache:6379'");
        assertBad(Map.of("REDIS_URL", "redis://cache:6379/zero"),
                "REDIS_URL (environment) database index after the '/' must be an integer >= 0, was 'redis://cache:6379/zero'");
        assertBad(Map.of("DATABASE_URL", "mysql://u:p@h/db"),
                "DATABASE_URL (environment) must be a URL of the form postgresql://user:pass@host:port/db?sslmode=..&application_name=.., was 'mysql://u:******@h/db'");
        assertBad(Map.of("DATABASE_URL", "postgresql://u:p@h:99999/db"),
                "DATABASE_URL (environment) must have a port between 1 and 65535, was 'postgresql://u:******@h:99999/db'");
        assertBad(Map.of("DATABASE_URL", "postgresql://u:p@h/db?sslmode=maybe"),
                "DATABASE_URL parameter sslmode must be one of disable|allow|prefer|require|verify-ca|verify-full, was 'maybe'");
    }

    @Test
    void unreadableOrMalformedYamlFailsNamingTheFileAndPath() throws IOException {
        Path missing = dir.resolve("missing.yml");
        assertThatThrownBy(() -> isolated().yamlFile(missing).build())
                .isInstanceOf(ConfigException.class).hasMessageContaining("cannot read YAML file " + missing);

        Path broken = dir.resolve("broken.yml");
        Files.writeString(broken, "postgres:\n  host: [unclosed\n");
        assertThatThrownBy(() -> isolated().yamlFile(broken).build())
                .isInstanceOf(ConfigException.class).hasMessageContaining("cannot parse YAML file " + broken);

        Path wrongType = dir.resolve("wrong.yml");
        Files.writeString(wrongType, "postgres:\n  password: pw\n  port: eighty\n");
        assertThatThrownBy(() -> isolated().yamlFile(wrongType).build())
                .isInstanceOf(ConfigException.class)
                .hasMessage("DB_PORT (postgres.port in YAML file " + wrongType + ") must be an integer >= 1, was 'eighty'");

        Path mapping = dir.resolve("mapping.yml");
        Files.writeString(mapping, "pool:\n  max_connections: {a: 1}\n");
        assertThatThrownBy(() -> isolated().yamlFile(mapping).build())
                .isInstanceOf(ConfigException.class)
                .hasMessage("pool.max_connections in YAML file " + mapping + " must be a value or a list of values, not a mapping");

        Path nested = dir.resolve("nested.yml");
        Files.writeString(nested, "kafka:\n  bootstrap_servers:\n    - {host: a}\n");
        assertThatThrownBy(() -> isolated().yamlFile(nested).build())
                .isInstanceOf(ConfigException.class)
                .hasMessage("kafka.bootstrap_servers in YAML file " + nested + " must be a value or a list of values");
    }

    @Test
    void builderSettersRejectBadValuesBeforeBuild() {
        assertThatThrownBy(() -> StorageConfig.builder().poolMaxConnections(0))
                .isInstanceOf(ConfigException.class).hasMessage("poolMaxConnections must be >= 1, was 0");
        assertThatThrownBy(() -> StorageConfig.builder().dbPort(0))
                .isInstanceOf(ConfigException.class).hasMessage("dbPort must be between 1 and 65535, was 0");
        assertThatThrownBy(() -> StorageConfig.builder().connectTimeout(Duration.ofMillis(10)))
                .isInstanceOf(ConfigException.class).hasMessage("connectTimeout must be at least 250ms, was PT0.01S");
        assertThatThrownBy(() -> StorageConfig.builder().dbHost(" "))
                .isInstanceOf(ConfigException.class).hasMessage("dbHost must not be blank, was ' '");
    }

    @Test
    void secretsNeverAppearInToStringOrMessages() {
        StorageConfig config = isolated()
                .databaseUrl("postgresql://app:" + ENCODED_SECRET + "@db:5432/x")
                .set("DB_READ_URL", "postgresql://ro:" + ENCODED_SECRET + "@replica:5432/x")
                .redisUrl("redis://default:" + ENCODED_SECRET + "@cache:6379/0")
                .build();

        assertThat(config.toString()).doesNotContain(SECRET).doesNotContain(ENCODED_SECRET).contains("******");
        assertThat(config.postgres().orElseThrow().toString()).doesNotContain(SECRET);
        assertThat(config.redis().orElseThrow().toString()).doesNotContain(ENCODED_SECRET).contains("redis://default:******@cache:6379/0");

        assertThatThrownBy(() -> isolated().databaseUrl("postgresql://app:" + ENCODED_SECRET + "@db:notaport/x").build())
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(ENCODED_SECRET).doesNotContain(SECRET));
        assertThatThrownBy(() -> isolated().set("DB_PASSWORD", SECRET).set("DB_RETRY_JITTER", "2").build())
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(SECRET));
    }

    @Test
    void aRedisClusterIsASeedListInLettucesFormWithRedisClusterTrue() {
        RedisConfig redis = isolated().set("REDIS_URL", "redis://:" + ENCODED_SECRET + "@10.0.0.1:7000,10.0.0.2:7001,10.0.0.3:7002")
                .set("REDIS_CLUSTER", "true").build().redis().orElseThrow();
        assertThat(redis.cluster()).isTrue();
        assertThat(redis.host()).isEqualTo("10.0.0.1");
        assertThat(redis.port()).isEqualTo(7000);
        assertThat(redis.database()).isZero();
        assertThat(redis.url().reveal()).isEqualTo("redis://:" + ENCODED_SECRET + "@10.0.0.1:7000,10.0.0.2:7001,10.0.0.3:7002");
        assertThat(redis.toString()).doesNotContain(ENCODED_SECRET).contains("10.0.0.3:7002").contains("cluster");
        // One seed is enough for a cluster; without REDIS_CLUSTER a single host stays a standalone server.
        assertThat(isolated().set("REDIS_URL", "redis://h:7000").set("REDIS_CLUSTER", "true").build()
                .redis().orElseThrow().cluster()).isTrue();
        assertThat(isolated().set("REDIS_URL", "redis://h:7000").build().redis().orElseThrow().cluster()).isFalse();
    }

    @Test
    void aSeedListWithoutRedisClusterOrWithADatabaseOrABadSeedFailsNamingTheVariable() {
        assertBad(Map.of("REDIS_URL", "redis://:pw@a:7000,b:7001"),
                "REDIS_URL (environment) lists 2 hosts, which only a Redis Cluster's seed list does: set REDIS_CLUSTER=true,"
                        + " or give one host; was 'redis://:******@a:7000,b:7001'");
        assertBad(Map.of("REDIS_URL", "redis://a:7000,b", "REDIS_CLUSTER", "true"),
                "REDIS_URL (environment) seed 'b' must be host:port with a port between 1 and 65535 (REDIS_CLUSTER=true),"
                        + " was 'redis://a:7000,b'");
        assertBad(Map.of("REDIS_URL", "redis://a:7000,b:7001/2", "REDIS_CLUSTER", "true"),
                "REDIS_URL (environment) selects database 2, but a Redis Cluster has only database 0 (REDIS_CLUSTER=true):"
                        + " drop the '/2'");
        assertThatThrownBy(() -> isolated().environment(Map.of("REDIS_URL", "redis://a:7000", "REDIS_CLUSTER", "maybe"))
                .build()).isInstanceOf(ConfigException.class).hasMessageContaining("REDIS_CLUSTER (environment)")
                .hasMessageContaining("'maybe'");
    }

    @Test
    void durationsAcceptShortFormsIsoAndPlainSeconds() {
        assertThat(isolated().set("REDIS_URL", "redis://h:1").set("REDIS_COMMAND_TIMEOUT", "250ms").build()
                .redis().orElseThrow().commandTimeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(isolated().set("DB_PASSWORD", "p").set("DB_POOL_CONNECT_TIMEOUT", "2m").build()
                .postgres().orElseThrow().connectTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(isolated().set("DB_PASSWORD", "p").set("DB_POOL_CONNECT_TIMEOUT", "PT3S").build()
                .postgres().orElseThrow().connectTimeout()).isEqualTo(Duration.ofSeconds(3));
    }

    private void assertBad(Map<String, String> env, String message) {
        assertThatThrownBy(() -> isolated().environment(env).build())
                .isInstanceOf(ConfigException.class)
                .hasMessage(message);
    }
}
