package io.llmstore.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llmstore.core.event.LlmEvent;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * A sink process killed with -9 hands its partitions to the replacement in its group within about
 * {@code KAFKA_CONSUMER_SESSION_TIMEOUT} (10 s), not Kafka's default 45 s, and every event is stored once.
 */
class KafkaSinkFailoverTest {

    @Test
    void aSinkProcessKilledWithSigkillFailsOverToItsReplacementWithinTwentySeconds() throws Exception {
        String prefix = KafkaTestSupport.randomPrefix();
        KafkaOptions options = KafkaTestSupport.options(prefix);
        KafkaTestSupport.provision(options);
        String schema = (prefix + "failover").replaceAll("[^a-z0-9_]", "_");
        Process child = null;
        try (JdbcUsageWriter writer = new JdbcUsageWriter(schema);
             KafkaEventPublisher publisher = KafkaEventPublisher.create(options)) {
            // Given a sink in another JVM that has stored a first wave, and a replacement in this one.
            child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), SinkProcess.class.getName(), prefix, schema)
                    .redirectErrorStream(true).redirectOutput(new File("target/sink-process-" + prefix + "log"))
                    .start();
            publisher.publishAll(wave(0, 100)).get(30, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(60)).until(() -> writer.rows() == 100);
            try (KafkaSink replacement = KafkaSink.create(options, writer).start()) {
                // Publish small waves until the group has split the partitions between the two sinks.
                int published = 100;
                long splitDeadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (replacement.stats().received() == 0) {
                    assertThat(System.nanoTime()).as("the replacement never got a partition").isLessThan(splitDeadline);
                    publisher.publishAll(wave(published, published + 12)).get(30, TimeUnit.SECONDS);
                    published += 12;
                    Thread.sleep(300);
                }
                int beforeKill = published;
                await().atMost(Duration.ofSeconds(60)).until(() -> writer.rows() == beforeKill);

                // When the other process dies without a word (kill -9), mid-stream.
                child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                long killedAt = System.nanoTime();
                publisher.publishAll(wave(beforeKill, beforeKill + 200)).get(30, TimeUnit.SECONDS);

                // Then its partitions resume here within the session timeout plus a rebalance.
                try {
                    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                            .until(() -> writer.rows() == beforeKill + 200);
                } catch (ConditionTimeoutException e) {
                    throw new AssertionError("no fail-over within 90 s of the kill: " + writer.rows() + " of "
                            + (beforeKill + 200) + " rows stored; the replacement: " + replacement.stats()
                            + "; the group as the broker sees it: " + describeGroup(options)
                            + "; the killed child's last lines are in target/sink-process-" + prefix + "log", e);
                }
                long failoverMs = (System.nanoTime() - killedAt) / 1_000_000;
                System.out.printf("sink fail-over after kill -9: every event stored %d ms after the kill "
                        + "(KAFKA_CONSUMER_SESSION_TIMEOUT %s)%n", failoverMs, options.sessionTimeout());
                assertThat(failoverMs).isLessThan(20_000); // Kafka's default session (45 s) failed this
                assertThat(writer.rows()).isEqualTo(beforeKill + 200);
            }
        } finally {
            if (child != null) {
                child.destroyForcibly();
            }
        }
    }

    /** The sink group's state and members with their partitions, or why the broker did not say. */
    private static String describeGroup(KafkaOptions options) {
        try (Admin admin = KafkaTestSupport.admin(options)) {
            ConsumerGroupDescription g = admin.describeConsumerGroups(List.of(options.sinkGroup()))
                    .describedGroups().get(options.sinkGroup()).get(10, TimeUnit.SECONDS);
            StringBuilder out = new StringBuilder(g.groupState() + ", " + g.members().size() + " member(s):");
            g.members().forEach(m -> out.append(' ').append(m.clientId()).append('@').append(m.host())
                    .append(m.assignment().topicPartitions()));
            return out.toString();
        } catch (Exception e) {
            return "not described (" + e + ")";
        }
    }

    /** Events {@code from..to-1}, spread over 50 users, so every partition gets some. */
    private static List<LlmEvent> wave(int from, int to) {
        List<LlmEvent> events = new ArrayList<>();
        for (int i = from; i < to; i++) {
            events.add(KafkaTestSupport.event("user-" + (i % 50), i));
        }
        return events;
    }
}
