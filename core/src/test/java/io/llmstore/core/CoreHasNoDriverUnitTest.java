package io.llmstore.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Core must stay free of backend drivers, so a user of one backend pulls no other's client. */
class CoreHasNoDriverUnitTest {
    private static final List<String> FORBIDDEN = List.of("org.jooq", "io.lettuce", "org.apache.kafka", "org.postgresql",
            "com.zaxxer", "java.sql.Connection");

    @Test
    void noCoreSourceImportsABackendClient() throws IOException {
        Path main = Path.of("src/main/java");
        List<String> offenders;
        try (Stream<Path> files = Files.walk(main)) {
            offenders = files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> {
                        try {
                            String text = Files.readString(p);
                            return FORBIDDEN.stream().anyMatch(f -> text.contains("import " + f));
                        } catch (IOException e) {
                            throw new IllegalStateException(e);
                        }
                    })
                    .map(Path::toString)
                    .collect(Collectors.toList());
        }
        assertThat(offenders).isEmpty();
    }

    @Test
    void noBackendClientIsOnCoresClasspath() {
        for (String type : List.of("org.jooq.DSLContext", "io.lettuce.core.RedisClient",
                "org.apache.kafka.clients.producer.KafkaProducer", "org.postgresql.Driver", "com.zaxxer.hikari.HikariDataSource")) {
            assertThat(isLoadable(type)).as(type + " must not be on core's classpath").isFalse();
        }
    }

    private static boolean isLoadable(String type) {
        try {
            Class.forName(type, false, CoreHasNoDriverUnitTest.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
