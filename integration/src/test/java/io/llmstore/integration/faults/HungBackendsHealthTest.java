package io.llmstore.integration.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmstore.core.StoragePool;
import io.llmstore.core.health.ComponentHealth;
import io.llmstore.core.health.HealthReport;
import io.llmstore.core.health.HealthStatus;
import io.llmstore.testkit.TcpProxy;
import io.llmstore.testkit.TestServers;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * PostgreSQL and Redis both hung (each behind a proxy that accepts and never answers): the health report comes back
 * within the largest single component timeout plus a little, not their sum, with both components DOWN; once they
 * answer again the report is UP by itself.
 */
class HungBackendsHealthTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private String schema;
    private TcpProxy postgres;
    private TcpProxy redis;

    @AfterEach
    void cleanUp() {
        if (postgres != null) {
            postgres.close();
        }
        if (redis != null) {
            redis.close();
        }
        if (schema != null) {
            FaultSupport.dropSchema(schema);
        }
    }

    /** Health threads now inside a probe (a frame of llmstore's own check code on their stack). */
    private static long probesRunning() {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> e.getKey().getName().startsWith("llmstore-health-"))
                .filter(e -> java.util.Arrays.stream(e.getValue()).anyMatch(f -> f.getClassName().startsWith("io.llmstore.")))
                .count();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS) // before the fix, the PostgreSQL check alone never returned
    void twoHungBackendsAreReportedDownWithinTheLargestTimeoutNotTheSum() throws Exception {
        schema = FaultSupport.newSchema();
        postgres = TcpProxy.to(TestServers.postgres().host(), TestServers.postgres().port());
        redis = TcpProxy.to(TestServers.redis().host(), TestServers.redis().port());
        try (StoragePool pool = FaultSupport.pool(FaultSupport.postgresConfig(FaultSupport.databaseUrlVia(postgres.port()), schema)
                .set("DB_POOL_CONNECT_TIMEOUT", TIMEOUT.toMillis() + "ms")
                .redisUrl("redis://127.0.0.1:" + redis.port())
                .set("REDIS_COMMAND_TIMEOUT", TIMEOUT.toMillis() + "ms"))) {
            assertThat(pool.healthCheck().status()).isEqualTo(HealthStatus.UP);

            postgres.hang();
            redis.hang();
            long start = System.nanoTime();
            HealthReport report = pool.healthCheck();
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(report.status()).isEqualTo(HealthStatus.DOWN);
            ComponentHealth pg = report.component("postgres").orElseThrow();
            ComponentHealth rd = report.component("redis").orElseThrow();
            assertThat(pg.isUp()).as("postgres " + pg).isFalse();
            assertThat(rd.isUp()).as("redis " + rd).isFalse();
            // Sequential checks took at least 2 s + 2 s; concurrent ones take the larger, 2 s, plus slack.
            assertThat(took).as("health report of two hung backends with 2 s timeouts each")
                    .isGreaterThanOrEqualTo(TIMEOUT.minusMillis(100))
                    .isLessThan(TIMEOUT.plusMillis(1_000));
            System.out.printf("health with postgres and redis hung, 2 s timeouts each: %d ms%n", took.toMillis());
            // The probes end by themselves too (no thread left blocked on a hung socket): a second report is as quick.
            long again = System.nanoTime();
            assertThat(pool.healthCheck().status()).isEqualTo(HealthStatus.DOWN);
            assertThat(Duration.ofNanos(System.nanoTime() - again)).isLessThan(TIMEOUT.plusMillis(1_000));
            // ... and no probe stays blocked on a hung socket (before the fix, SELECT 1 never returned): each ends by
            // itself, bounded by the pool's connect and validation timeouts (measured 2-10 s here).
            Duration settleLimit = Duration.ofSeconds(30);
            long settled = System.nanoTime() + settleLimit.toNanos();
            while (probesRunning() > 0 && System.nanoTime() < settled) {
                Thread.sleep(100);
            }
            assertThat(probesRunning()).as("health probes still running " + settleLimit + " after the report")
                    .isZero();

            System.out.printf("probes settled after %d ms%n", (System.nanoTime() - again) / 1_000_000);
            postgres.resume();
            redis.resume();
            long resumed = System.nanoTime();
            long healed = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            HealthReport after = pool.healthCheck();
            while (after.status() != HealthStatus.UP && System.nanoTime() < healed) {
                Thread.sleep(200);
                after = pool.healthCheck();
            }
            assertThat(after.status()).as(after.toString()).isEqualTo(HealthStatus.UP);
            System.out.printf("UP again %d ms after the servers answer%n", (System.nanoTime() - resumed) / 1_000_000);
        }
    }
}
