package io.llmstore.timescale;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway PostgreSQL 15 cluster whose only authentication is {@code trust} (initdb {@code -A trust}), for
 * proving that a pool needs no password where the server asks for none. Runs as the {@code postgres} OS user in a
 * temporary directory, on a free loopback port; about a second to start. {@link #close()} stops it and deletes it.
 */
final class TrustCluster implements AutoCloseable {
    private static final String BIN = System.getenv().getOrDefault("LLMSTORE_PG_BIN", "/usr/lib/postgresql/15/bin");

    private final Path dir;
    private final int port;

    private TrustCluster(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    static TrustCluster start() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("llmstore-trust-");
        run("chown", "postgres", dir.toString());
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path data = dir.resolve("data");
        run("runuser", "-u", "postgres", "--", BIN + "/initdb", "-D", data.toString(), "-U", "postgres", "-A", "trust",
                "-E", "UTF8", "--no-locale", "--no-sync");
        run("runuser", "-u", "postgres", "--", BIN + "/pg_ctl", "-D", data.toString(), "-l", dir.resolve("log").toString(),
                "-w", "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off", "start");
        return new TrustCluster(dir, port);
    }

    /** {@code postgresql://postgres@127.0.0.1:<port>/postgres?sslmode=disable}: no password anywhere. */
    String databaseUrlWithoutPassword() {
        return "postgresql://postgres@127.0.0.1:" + port + "/postgres?sslmode=disable";
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            run("runuser", "-u", "postgres", "--", BIN + "/pg_ctl", "-D", dir.resolve("data").toString(), "-m",
                    "immediate", "-w", "stop");
        } finally {
            run("rm", "-rf", dir.toString());
        }
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
    }
}
