package io.llmstore.integration.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The {@code kill -9} harness of the spool tests: runs a child program ({@link IngestingChild},
 * {@link PublishingChild}) in a child JVM on this test's classpath, collects the ids it printed as {@code ACK <id>} (rows whose {@code record} returned), and kills it with
 * SIGKILL (no shutdown hook, no flush) {@code millis} after it printed {@code READY}.
 */
final class ChildKill {
    private ChildKill() {
    }

    /** Starts an {@link IngestingChild} with {@code args}, lets it ingest {@code millis} after READY, kills it with SIGKILL. */
    static Set<String> runAndKill(String[] args, int millis) throws Exception {
        return runAndKill(IngestingChild.class, args, millis);
    }

    /** Starts {@code main} with {@code args}, lets it run {@code millis} after READY, kills it with SIGKILL. */
    static Set<String> runAndKill(Class<?> main, String[] args, int millis) throws Exception {
        return run(main, args, millis, true).acknowledged();
    }

    /** What a child acknowledged before it was stopped, and what it wrote to stderr. */
    record Run(Set<String> acknowledged, String stderr) {
    }

    /**
     * Starts {@code main} with {@code args}, lets it run {@code millis} after READY, then stops it: SIGKILL (no
     * shutdown hook, no flush) when {@code kill}, else SIGTERM (a normal stop: shutdown hooks run), and waits for it.
     */
    static Run run(Class<?> main, String[] args, int millis, boolean kill) throws Exception {
        File stderr = File.createTempFile("spool-child", ".log");
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                "-XX:TieredStopAtLevel=1", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", main.getName()));
        command.addAll(List.of(args));
        Process child = new ProcessBuilder(command).redirectError(stderr).start();
        Set<String> acknowledged = new HashSet<>();
        CountDownLatch ready = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.equals("READY")) {
                        ready.countDown();
                    } else if (line.startsWith("ACK ")) {
                        synchronized (acknowledged) {
                            acknowledged.add(line.substring(4));
                        }
                    }
                }
            } catch (IOException e) {
                // The child is gone; what was read is what counts.
            }
        }, "child-stdout");
        reader.start();
        try {
            if (!ready.await(60, TimeUnit.SECONDS)) {
                throw new AssertionError("child not ready; its stderr:\n" + String.join("\n", Files.readAllLines(stderr.toPath())));
            }
            Thread.sleep(millis);
            if (kill) {
                child.destroyForcibly(); // SIGKILL: no shutdown hook, no flush
            } else {
                child.destroy(); // SIGTERM
            }
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).as(kill ? "child killed" : "child exited after SIGTERM").isTrue();
            reader.join(10_000);
            String log = String.join("\n", Files.readAllLines(stderr.toPath()).stream().limit(40).toList());
            synchronized (acknowledged) {
                return new Run(new HashSet<>(acknowledged), log);
            }
        } finally {
            child.destroyForcibly();
            Files.deleteIfExists(stderr.toPath());
        }
    }
}
