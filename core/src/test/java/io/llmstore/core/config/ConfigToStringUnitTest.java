package io.llmstore.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmstore.core.config.internal.ConfigFiles;
import io.llmstore.core.config.internal.ConfigLayer;
import io.llmstore.core.config.internal.ConnectionUrls;
import io.llmstore.core.config.internal.Durations;
import io.llmstore.core.config.internal.Redaction;
import java.io.IOException;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Walks every public type of the configuration packages ({@code io.llmstore.core.config} and its
 * {@code internal}), found by listing the compiled classes, and checks that the {@code toString()} of an instance
 * built from a configuration full of a planted secret never shows it. A new public type fails the guard until it
 * gets a sample here (or is listed as holding no instance state), so no config object escapes the check.
 */
class ConfigToStringUnitTest {
    private static final String SECRET = "Pl4nted-S3cret-9z";

    /** Public types that are never instantiated (constants and static functions only). */
    private static final Set<Class<?>> NO_INSTANCES = Set.of(CoreSettings.class, ConnectionUrls.class, Redaction.class,
            Durations.class, ConfigFiles.class);

    @Test
    void everyPublicConfigObjectMasksAPlantedSecretInToString() throws Exception {
        StorageConfig.Builder builder = StorageConfig.builder().environment(Map.of()).systemProperties(new Properties())
                .databaseUrl("postgresql://app:" + SECRET + "@db:5432/x?sslmode=require&sslpassword=" + SECRET)
                .set("DB_READ_URL", "postgresql://ro:" + SECRET + "@replica:5432/x?sslpassword=" + SECRET)
                .dbPassword(SECRET)
                .redisUrl("redis://default:" + SECRET + "@cache:6379/0")
                .kafkaBootstrapServers("k1:9092")
                .set("MY_API_TOKEN", SECRET)
                .set("SOME_ENDPOINT", "https://user:" + SECRET + "@proxy.example/path");
        StorageConfig config = builder.build();
        PostgresConfig pg = config.postgres().orElseThrow();

        List<Object> samples = new ArrayList<>(List.of(
                config, builder, config.settings(), pg, pg.readReplica().orElseThrow(), config.redis().orElseThrow(),
                config.kafka().orElseThrow(), config.retry(), config.cache("api_key", 10, Duration.ofMinutes(5)),
                CoreSettings.DATABASE_URL, Secret.of(SECRET), SslMode.REQUIRE,
                ConfigLayer.of("builder", Map.of("DB_PASSWORD", SECRET, "REDIS_URL", "redis://:" + SECRET + "@h:1")),
                ConnectionUrls.parse("redis://u:" + SECRET + "@h:6379/0?password=" + SECRET, "REDIS_URL")));
        for (String name : List.of("DATABASE_URL", "DB_READ_URL", "DB_PASSWORD", "REDIS_URL", "MY_API_TOKEN", "SOME_ENDPOINT")) {
            samples.add(config.settings().find(name).orElseThrow());
        }

        Set<String> uncovered = new TreeSet<>();
        for (Class<?> type : publicConfigTypes()) {
            boolean sampled = samples.stream().anyMatch(type::isInstance);
            if (!sampled && !NO_INSTANCES.contains(type)) {
                uncovered.add(type.getName());
            }
        }
        assertThat(uncovered).as("public config types without a sample in this test").isEmpty();

        for (Object sample : samples) {
            assertThat(sample.toString()).as("toString of " + sample.getClass().getName()).doesNotContain(SECRET);
        }
        // Still useful: the masks show where a secret was, and non-secret parts stay readable.
        assertThat(pg.toString()).contains("sslpassword=******").contains("db:5432");
        assertThat(config.settings().find("SOME_ENDPOINT").orElseThrow().toString())
                .isEqualTo("SOME_ENDPOINT=https://user:******@proxy.example/path (builder)");
        assertThat(config.settings().find("DATABASE_URL").orElseThrow().toString()).isEqualTo("DATABASE_URL=****** (builder)");
    }

    @Test
    void aPasswordWithARawAtSignIsMaskedWholeInDisplayedUrls() {
        // A RedisConfig built by hand, bypassing the loader's encoding check: the mask must still cover every character.
        RedisConfig redis = new RedisConfig(Secret.of("redis://u:ab@cd" + SECRET + "@h:6379"), "h", 6379, 0, false,
                Duration.ofSeconds(1));

        assertThat(redis.toString()).doesNotContain(SECRET).doesNotContain("cd").contains("redis://u:******@h:6379");
    }

    /** Public top-level and nested types compiled into the two config packages. */
    private static List<Class<?>> publicConfigTypes() throws IOException, URISyntaxException, ClassNotFoundException {
        Path dir = Path.of(StorageConfig.class.getResource("StorageConfig.class").toURI()).getParent();
        List<Class<?>> types = new ArrayList<>();
        for (Path pkg : List.of(dir, dir.resolve("internal"))) {
            String prefix = pkg.equals(dir) ? "io.llmstore.core.config." : "io.llmstore.core.config.internal.";
            try (Stream<Path> files = Files.list(pkg)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                    String simple = f.getFileName().toString().replace(".class", "");
                    if (simple.equals("package-info") || simple.matches(".*\\$\\d+.*")) {
                        continue; // anonymous and local classes are never public
                    }
                    Class<?> type = Class.forName(prefix + simple);
                    if (isPublic(type)) {
                        types.add(type);
                    }
                }
            }
        }
        assertThat(types).as("public config types found").hasSizeGreaterThan(10);
        return types;
    }

    private static boolean isPublic(Class<?> type) {
        for (Class<?> t = type; t != null; t = t.getEnclosingClass()) {
            if (!Modifier.isPublic(t.getModifiers())) {
                return false;
            }
        }
        return true;
    }
}
