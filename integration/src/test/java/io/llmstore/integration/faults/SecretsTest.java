package io.llmstore.integration.faults;

import io.llmstore.testkit.TcpProxy;
import static org.assertj.core.api.Assertions.assertThat;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.usage.BufferedUsageWriter;
import io.llmstore.testkit.PostgresServer;
import io.llmstore.testkit.TestServers;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Pool-level runs with distinctive secrets (a PostgreSQL role created for the test, a Redis URL password) through
 * normal use, a cut connection, a failed health check, a wrong password and a refused Redis AUTH: the secrets appear
 * in no log line (slf4j-simple writes to System.err, captured here), no exception message (causes and suppressed
 * included) and no {@code toString()} of config, pool, components, health or stats.
 */
class SecretsTest {
    private final String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
    private final String role = "fault_role_" + suffix;
    private final String password = "Zx9-sekret-" + suffix;
    private final String wrongPassword = "Zx9-wrong-" + suffix;
    private final String redisPassword = "Rd7-sekret-" + suffix;
    private final String schema = "fault_secret_" + suffix;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private final List<Throwable> thrown = new ArrayList<>();
    private final List<String> rendered = new ArrayList<>();
    private PrintStream originalErr;
    private TcpProxy proxy;

    @BeforeEach
    void createRoleAndCaptureLogs() throws Exception {
        try (Connection c = FaultSupport.admin(); Statement s = c.createStatement()) {
            s.execute("CREATE ROLE " + role + " LOGIN PASSWORD '" + password + "'");
            s.execute("CREATE SCHEMA " + schema + " AUTHORIZATION " + role);
            s.execute("GRANT CREATE ON DATABASE " + TestServers.postgres().database() + " TO " + role);
        }
        proxy = TcpProxy.to(TestServers.postgres().host(), TestServers.postgres().port());
        originalErr = System.err;
        System.setErr(new PrintStream(new Tee(originalErr, captured), true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() throws Exception {
        System.setErr(originalErr);
        proxy.close();
        try (Connection c = FaultSupport.admin(); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            s.execute("DROP OWNED BY " + role + " CASCADE");
            s.execute("DROP ROLE IF EXISTS " + role);
        }
    }

    @Test
    void distinctiveSecretsAppearInNoLogLineExceptionOrToString() throws Exception {
        PostgresServer pg = TestServers.postgres();
        String url = "postgresql://" + role + ":" + password + "@127.0.0.1:" + proxy.port() + "/" + pg.database();
        StorageConfig config = FaultSupport.postgresConfig(url, schema).build();
        rendered.add(config.toString());
        rendered.add(String.valueOf(config.postgres()));

        try (StoragePool pool = StoragePool.create(config)) {
            rendered.add(pool.toString());
            BufferedUsageWriter writer = pool.usage().buffered();
            rendered.add(writer.toString());
            rendered.add(pool.usage().toString());
            pool.usage().recordAll(FaultSupport.rows(0, 100));
            rendered.add(pool.healthCheck().toString());
            rendered.add(pool.stats().toString());

            // Faults: a cut mid-batch (sync call throws), then the database unreachable for the async writer and health.
            proxy.cutAfterUpstreamBytes(64 << 10);
            capture(() -> pool.usage().recordAll(FaultSupport.rows(100, 5_000)));
            proxy.refuseNew();
            writer.recordAll(FaultSupport.rows(10_000, 100));
            capture(writer::flush);
            rendered.add(pool.healthCheck().toString());
            rendered.add(writer.toString());
            proxy.resume();
            writer.flush();
        }

        // A wrong password, and a Redis URL carrying a password the server refuses (it has none configured).
        String wrongUrl = "postgresql://" + role + ":" + wrongPassword + "@127.0.0.1:" + pg.port() + "/" + pg.database();
        capture(() -> StoragePool.create(StorageConfig.builder().databaseUrl(wrongUrl)
                .set("DB_RETRY_MAX_ATTEMPTS", "1").build()).close());
        String redisUrl = "redis://default:" + redisPassword + "@" + TestServers.redis().host() + ":" + TestServers.redis().port();
        StorageConfig redisConfig = StorageConfig.builder().redisUrl(redisUrl).set("REDIS_KEY_PREFIX", "secret-" + suffix + ":").build();
        rendered.add(redisConfig.toString());
        rendered.add(String.valueOf(redisConfig.redis()));
        capture(() -> {
            try (StoragePool pool = StoragePool.create(redisConfig)) {
                rendered.add(pool.toString());
                rendered.add(pool.healthCheck().toString());
                pool.cache().getOrCompute("m", "p", Duration.ofMinutes(1), () -> "x");
                pool.sessions().get("s");
            }
        });
        System.err.flush();

        assertThat(thrown).as("the faults above did raise errors").isNotEmpty();
        String logs = captured.toString(StandardCharsets.UTF_8);
        assertThat(logs).as("captured log output (the capture works)").contains("usage batch of 100 rows failed");
        for (String secret : List.of(password, wrongPassword, redisPassword)) {
            assertThat(logs).as("log output").doesNotContain(secret);
            for (String r : rendered) {
                assertThat(r).as("toString").doesNotContain(secret);
            }
            for (Throwable t : thrown) {
                for (Throwable each : chain(t)) {
                    assertThat(String.valueOf(each.getMessage())).as("message of " + each.getClass().getName())
                            .doesNotContain(secret);
                    assertThat(each.toString()).doesNotContain(secret);
                }
            }
        }
    }

    private void capture(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            thrown.add(e);
        }
    }

    /** The throwable, its causes and everything suppressed anywhere below it. */
    private static List<Throwable> chain(Throwable root) {
        List<Throwable> out = new ArrayList<>();
        Set<Throwable> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        List<Throwable> todo = new ArrayList<>(List.of(root));
        while (!todo.isEmpty()) {
            Throwable t = todo.remove(todo.size() - 1);
            if (t == null || !seen.add(t)) {
                continue;
            }
            out.add(t);
            todo.add(t.getCause());
            todo.addAll(List.of(t.getSuppressed()));
        }
        return out;
    }

    private static final class Tee extends OutputStream {
        private final OutputStream a;
        private final ByteArrayOutputStream b;

        Tee(OutputStream a, ByteArrayOutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public synchronized void write(int x) {
            try {
                a.write(x);
            } catch (java.io.IOException ignored) {
                // the console is best effort
            }
            b.write(x);
        }

        @Override
        public synchronized void write(byte[] buf, int off, int len) {
            try {
                a.write(buf, off, len);
            } catch (java.io.IOException ignored) {
                // the console is best effort
            }
            b.write(buf, off, len);
        }

        @Override
        public void flush() throws java.io.IOException {
            a.flush();
        }
    }

}
