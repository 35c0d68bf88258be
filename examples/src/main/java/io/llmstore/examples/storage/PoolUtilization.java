package io.llmstore.examples.storage;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.stats.ConnectionPoolStats;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** Is my connection pool near capacity? */
public final class PoolUtilization {
    private PoolUtilization() {
    }

    /** Runs the example with {@code DATABASE_URL} (or {@code DB_*}) and {@code DB_POOL_MAX_CONNECTIONS} set. */
    public static void main(String[] args) throws SQLException {
        run(StorageConfig.fromEnv(), System.out);
    }

    /**
     * Prints the pool's counters while idle, then while this program holds all but one connection (standing in for
     * busy requests); returns the busy snapshot.
     */
    public static ConnectionPoolStats run(StorageConfig config, PrintStream out) throws SQLException {
        try (StoragePool pool = StoragePool.create(config)) {
            print("idle", pool.stats().postgres().orElseThrow(), out);

            DataSource dataSource = pool.client(DataSource.class).orElseThrow();
            int max = pool.stats().postgres().orElseThrow().max();
            List<Connection> busy = new ArrayList<>();
            try {
                for (int i = 0; i < max - 1; i++) {
                    busy.add(dataSource.getConnection());
                }
                ConnectionPoolStats stats = pool.stats().postgres().orElseThrow();
                print("busy", stats, out);
                if (stats.isNearCapacity()) { // above 80 %: raise DB_POOL_MAX_CONNECTIONS or find the slow queries
                    out.println("Warning: connection pool near capacity!");
                }
                return stats;
            } finally {
                for (Connection c : busy) {
                    c.close();
                }
            }
        }
    }

    private static void print(String when, ConnectionPoolStats s, PrintStream out) {
        out.printf("%s: active %d/%d, idle %d, waiting %d, utilization %.1f%%%n",
                when, s.active(), s.max(), s.idle(), s.threadsWaiting(), s.utilizationPercent());
    }
}
