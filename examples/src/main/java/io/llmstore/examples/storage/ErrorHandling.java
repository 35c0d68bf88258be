package io.llmstore.examples.storage;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.PostgresConfig;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.error.ConfigException;
import io.llmstore.core.error.ConnectionException;
import io.llmstore.core.error.NotConfiguredException;
import io.llmstore.core.error.PoolExhaustedException;
import io.llmstore.core.error.QueryException;
import io.llmstore.core.error.StorageException;
import io.llmstore.core.usage.UsageMetric;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** Which failures should I retry, and what does each one tell me? */
public final class ErrorHandling {
    private ErrorHandling() {
    }

    /** Runs the example with {@code DATABASE_URL} (or {@code DB_*}) from the environment. */
    public static void main(String[] args) throws SQLException {
        run(StorageConfig.fromEnv(), System.out);
    }

    /** Provokes four real failures and prints how each is classified; returns them in order. */
    public static List<StorageException> run(StorageConfig config, PrintStream out) throws SQLException {
        List<StorageException> failures = new ArrayList<>();

        // 1. A bad value fails at load time, before any socket opens: fix the configuration, do not retry.
        try {
            StorageConfig.builder().databaseUrl("postgresql://app:s3cret-pw@db:5432/llm")
                    .set("DB_POOL_MAX_CONNECTIONS", "lots").build();
        } catch (StorageException e) {
            failures.add(handle(e, out));
        }

        // 2. No server there: the start-up connect is retried DB_RETRY_MAX_ATTEMPTS times, then fails, retryable.
        StorageConfig nothingListening = StorageConfig.builder()
                .databaseUrl("postgresql://app:s3cret-pw@127.0.0.1:1/llm?sslmode=disable")
                .retryMaxAttempts(2).retryBackoff(Duration.ofMillis(10), 2.0, Duration.ofMillis(50)).build();
        try (StoragePool pool = StoragePool.create(nothingListening)) {
            pool.healthCheck();
        } catch (StorageException e) {
            failures.add(handle(e, out));
        }

        // 3. Every connection busy for longer than DB_POOL_CONNECT_TIMEOUT: PoolExhaustedException, retryable.
        PostgresConfig pg = config.postgres().orElseThrow();
        StorageConfig tiny = StorageConfig.builder().dbHost(pg.host()).dbPort(pg.port()).dbName(pg.database())
                .dbUser(pg.user()).dbPassword(pg.password().reveal()).sslMode(pg.sslMode())
                .poolMaxConnections(1).connectTimeout(Duration.ofSeconds(1)).build(); // retried 3 times, then thrown
        try (StoragePool pool = StoragePool.create(tiny);
             Connection held = pool.client(DataSource.class).orElseThrow().getConnection()) { // a leak, say
            pool.usage().record(UsageMetric.builder().time(Instant.now()).provider("openai").model("gpt-4o").build());
        } catch (StorageException e) {
            failures.add(handle(e, out));
        }

        // 4. A feature whose backend is not configured names the variable to set.
        try (StoragePool pool = StoragePool.create(tiny)) {
            pool.events();
        } catch (StorageException e) {
            failures.add(handle(e, out));
        }
        return failures;
    }

    /** What an application does with each kind; messages never carry a password. */
    private static StorageException handle(StorageException e, PrintStream out) {
        String advice;
        if (e instanceof ConfigException) {
            advice = "fix the configuration";
        } else if (e instanceof ConnectionException) {
            advice = "server unreachable: check it runs, the host, port and credentials";
        } else if (e instanceof PoolExhaustedException) {
            advice = "raise DB_POOL_MAX_CONNECTIONS or DB_POOL_CONNECT_TIMEOUT, look for leaked connections";
        } else if (e instanceof QueryException q) {
            advice = "query failed with SQLState " + q.sqlState();
        } else if (e instanceof NotConfiguredException) {
            advice = "configure the backend, or do without the feature";
        } else {
            advice = "see the cause";
        }
        out.println(e.getClass().getSimpleName() + " retryable=" + e.isRetryable() + " (" + advice + "): "
                + e.getMessage());
        return e;
    }
}
