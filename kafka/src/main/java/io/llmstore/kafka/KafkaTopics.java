package io.llmstore.kafka;

import io.llmstore.kafka.ProvisionResult.TopicMismatch;
import io.llmstore.kafka.internal.KafkaErrors;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates llmstore's topics ({@code llm-events}, {@code llm-metrics}, {@code llm-alerts}, {@code llm-logs},
 * {@code llm-analytics} and the dead-letter topic) when missing, idempotently.
 *
 * <p>An existing topic is never altered: one with at least the configured partitions and replication factor counts
 * as ok; one with fewer is reported in {@link ProvisionResult#mismatched()} and logged at WARN (it still works, but
 * spreads load over fewer partitions). Call {@link ProvisionResult#requireOk()} to turn that into an exception.
 * We chose report-and-warn over failing by default because growing partitions re-maps keys, which only an operator
 * should decide. Two instances provisioning at once are safe: a topic created by the other one counts as ok.
 *
 * <p>Thread-safe. Does not own the {@link Admin}.
 */
public final class KafkaTopics {
    private static final Logger log = LoggerFactory.getLogger(KafkaTopics.class);

    private final Admin admin;
    private final List<TopicSpec> specs;
    private final Duration timeout;

    /**
     * @param admin   the admin client (not closed by this class)
     * @param specs   the topics to provision
     * @param timeout bound on each admin call
     */
    public KafkaTopics(Admin admin, List<TopicSpec> specs, Duration timeout) {
        this.admin = Objects.requireNonNull(admin, "admin");
        this.specs = List.copyOf(specs);
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    /** The topics this instance provisions. */
    public List<TopicSpec> specs() {
        return specs;
    }

    /**
     * Creates the missing topics and checks the existing ones.
     *
     * @throws io.llmstore.core.error.StorageException when the broker cannot be reached within the timeout or refuses
     *                                                 (e.g. replication factor larger than the cluster)
     */
    public ProvisionResult provision() {
        Map<String, TopicSpec> byName = new LinkedHashMap<>();
        specs.forEach(s -> byName.put(s.name(), s));
        Map<String, TopicDescription> existing = describe(byName.keySet());

        List<NewTopic> toCreate = new ArrayList<>();
        for (TopicSpec spec : specs) {
            if (!existing.containsKey(spec.name())) {
                toCreate.add(new NewTopic(spec.name(), spec.partitions(), spec.replicationFactor())
                        .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(spec.retention().toMillis()))));
            }
        }
        List<String> created = new ArrayList<>();
        List<String> raced = new ArrayList<>();
        if (!toCreate.isEmpty()) {
            Map<String, KafkaFuture<Void>> futures = admin.createTopics(toCreate,
                    new CreateTopicsOptions().timeoutMs((int) timeout.toMillis())).values();
            for (Map.Entry<String, KafkaFuture<Void>> e : futures.entrySet()) {
                try {
                    KafkaErrors.await(e.getValue(), timeout, "create topic " + e.getKey());
                    created.add(e.getKey());
                } catch (RuntimeException ex) {
                    if (KafkaErrors.causeIs(ex, TopicExistsException.class)) {
                        raced.add(e.getKey()); // another instance created it between describe and create
                    } else {
                        throw ex;
                    }
                }
            }
            if (!raced.isEmpty()) {
                existing.putAll(describe(raced));
            }
        }

        List<String> ok = new ArrayList<>();
        List<TopicMismatch> mismatched = new ArrayList<>();
        for (TopicSpec spec : specs) {
            TopicDescription d = existing.get(spec.name());
            if (d == null) {
                continue; // created above
            }
            int partitions = d.partitions().size();
            short rf = (short) (d.partitions().isEmpty() ? 0 : d.partitions().get(0).replicas().size());
            if (partitions < spec.partitions() || rf < spec.replicationFactor()) {
                TopicMismatch m = new TopicMismatch(spec.name(), spec.partitions(), partitions, spec.replicationFactor(), rf);
                log.warn("Kafka topic {} is not as configured and was left unchanged: {}", spec.name(), m.describe());
                mismatched.add(m);
            } else {
                ok.add(spec.name());
            }
        }
        if (!created.isEmpty()) {
            awaitLeaders(created);
            log.info("Created Kafka topics {}", created);
        }
        return new ProvisionResult(created, ok, mismatched);
    }

    /**
     * Waits (at most the timeout) until every partition of the new topics answers a ListOffsets on its leader.
     * Why: right after creation the metadata already names a leader that does not yet act as one; an idempotent
     * producer publishing into that window got NOT_LEADER_OR_FOLLOWER, and on Kafka 4.4 we then saw its retried
     * first batch refused with OutOfOrderSequenceException until the delivery timeout. A ready topic avoids it.
     */
    private void awaitLeaders(List<String> topics) {
        long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try {
                Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
                for (TopicDescription d : describe(topics).values()) {
                    d.partitions().forEach(p -> partitions.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest()));
                }
                KafkaErrors.await(admin.listOffsets(partitions).all(), timeout, "list offsets of " + topics);
                return;
            } catch (RuntimeException e) {
                last = e;
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        log.warn("Kafka topics {} were created but their leaders did not answer within {} ms: {}", topics,
                timeout.toMillis(), last == null ? "" : last.getMessage());
    }

    private Map<String, TopicDescription> describe(java.util.Collection<String> names) {
        Map<String, TopicDescription> found = new LinkedHashMap<>();
        Map<String, KafkaFuture<TopicDescription>> futures = admin.describeTopics(names,
                new DescribeTopicsOptions().timeoutMs((int) timeout.toMillis())).topicNameValues();
        for (Map.Entry<String, KafkaFuture<TopicDescription>> e : futures.entrySet()) {
            try {
                found.put(e.getKey(), KafkaErrors.await(e.getValue(), timeout, "describe topic " + e.getKey()));
            } catch (RuntimeException ex) {
                if (!KafkaErrors.causeIs(ex, UnknownTopicOrPartitionException.class)) {
                    throw ex;
                }
            }
        }
        return found;
    }

    @Override
    public String toString() {
        return "KafkaTopics" + specs;
    }

}
