package io.llmstore.kafka;

import static io.llmstore.kafka.KafkaSettings.*;

import io.llmstore.core.config.KafkaConfig;
import io.llmstore.core.config.RetrySettings;
import io.llmstore.core.config.Setting;
import io.llmstore.core.config.Settings;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.error.ConfigException;
import io.llmstore.core.error.NotConfiguredException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Every Kafka setting, resolved and checked once (see {@link KafkaSettings} for names and defaults). Immutable.
 * A bad value fails in {@link #from(StorageConfig)} with a {@link ConfigException} naming the variable.
 *
 * @param client          bootstrap servers and client id; null only for {@link #withoutBootstrapServers} (an
 *                        injected producer and {@code KAFKA_BOOTSTRAP_SERVERS} unset: no admin, consumer or sink)
 * @param required        fail start-up when the broker does not answer ({@code KAFKA_REQUIRED})
 * @param provision       create missing topics when the backend opens
 * @param events          the events topic (publisher and sink read it)
 * @param metrics         the metrics topic
 * @param alerts          the alerts topic
 * @param logs            the logs topic
 * @param analytics       the analytics topic
 * @param deadLetter      the dead-letter topic of consumers
 * @param eventKey        partition key strategy
 * @param compression     producer {@code compression.type}
 * @param linger          producer {@code linger.ms}
 * @param batchSize       producer {@code batch.size}, bytes
 * @param bufferMemory    producer {@code buffer.memory}, bytes
 * @param maxBlock        producer {@code max.block.ms}
 * @param deliveryTimeout producer {@code delivery.timeout.ms}
 * @param requestTimeout  {@code request.timeout.ms} of every client
 * @param sinkGroup       consumer group of the usage sink
 * @param maxPollRecords  consumer {@code max.poll.records}
 * @param pollTimeout     one poll's wait
 * @param sessionTimeout  consumer {@code session.timeout.ms}: how long a dead consumer keeps its partitions
 * @param closeTimeout    bound on closing clients
 * @param healthTimeout   bound on the health check and start-up probe
 * @param retry           backoff of handler retries (from {@code DB_RETRY_*})
 */
public record KafkaOptions(KafkaConfig client, boolean required, boolean provision, TopicSpec events, TopicSpec metrics,
                           TopicSpec alerts, TopicSpec logs, TopicSpec analytics, TopicSpec deadLetter,
                           EventKey eventKey, String compression, Duration linger, int batchSize, long bufferMemory,
                           Duration maxBlock, Duration deliveryTimeout, Duration requestTimeout, String sinkGroup,
                           int maxPollRecords, Duration pollTimeout, Duration sessionTimeout, Duration closeTimeout, Duration healthTimeout,
                           RetrySettings retry) {
    private static final Set<String> COMPRESSIONS = Set.of("none", "gzip", "snappy", "lz4", "zstd");

    public KafkaOptions {
        Objects.requireNonNull(eventKey, "eventKey");
        Objects.requireNonNull(retry, "retry");
        if (!COMPRESSIONS.contains(compression)) {
            throw new IllegalArgumentException("compression must be one of " + COMPRESSIONS + ", was '" + compression + "'");
        }
        if (deliveryTimeout.compareTo(linger.plus(requestTimeout)) < 0) {
            // Kafka refuses this combination at producer construction; say it in our variables' names.
            throw new ConfigException("KAFKA_PRODUCER_DELIVERY_TIMEOUT (" + deliveryTimeout.toMillis()
                    + " ms) must be >= KAFKA_PRODUCER_LINGER + KAFKA_REQUEST_TIMEOUT (" + linger.plus(requestTimeout).toMillis() + " ms)");
        }
    }

    /**
     * Resolves the options from {@code config}.
     *
     * @throws NotConfiguredException when {@code KAFKA_BOOTSTRAP_SERVERS} is not set
     * @throws ConfigException        when a value is invalid (the message names the variable)
     */
    public static KafkaOptions from(StorageConfig config) {
        return from(config, config.kafka().orElseThrow(
                () -> NotConfiguredException.forFeature("Kafka", "Kafka", "KAFKA_BOOTSTRAP_SERVERS")));
    }

    /**
     * The options for a producer the application injected ({@code KafkaBackendProvider.using(producer)}) when
     * {@code KAFKA_BOOTSTRAP_SERVERS} is unset: every setting as in {@link #from(StorageConfig)}, {@link #client()}
     * null and {@link #hasBootstrapServers()} false, so nothing that needs its own connection is built.
     */
    public static KafkaOptions withoutBootstrapServers(StorageConfig config) {
        return from(config, null);
    }

    /** False only for {@link #withoutBootstrapServers}: no admin client, consumer or sink can be built. */
    public boolean hasBootstrapServers() {
        return client != null;
    }

    private static KafkaOptions from(StorageConfig config, KafkaConfig client) {
        Settings s = config.settings();
        String prefix = s.string(KAFKA_TOPIC_PREFIX).orElse("");
        int rfInt = s.intValue(KAFKA_REPLICATION_FACTOR, 1);
        if (rfInt > Short.MAX_VALUE) {
            throw s.invalid(KAFKA_REPLICATION_FACTOR, "an integer between 1 and " + Short.MAX_VALUE);
        }
        short rf = (short) rfInt;
        String compression = s.string(KAFKA_PRODUCER_COMPRESSION).orElse("lz4").toLowerCase(java.util.Locale.ROOT);
        if (!COMPRESSIONS.contains(compression)) {
            throw s.invalid(KAFKA_PRODUCER_COMPRESSION, "one of none|gzip|snappy|lz4|zstd");
        }
        return new KafkaOptions(client, s.booleanValue(KAFKA_REQUIRED), s.booleanValue(KAFKA_TOPICS_PROVISION),
                topic(s, prefix, rf, KAFKA_TOPIC_EVENTS, KAFKA_TOPIC_EVENTS_PARTITIONS, KAFKA_TOPIC_EVENTS_RETENTION),
                topic(s, prefix, rf, KAFKA_TOPIC_METRICS, KAFKA_TOPIC_METRICS_PARTITIONS, KAFKA_TOPIC_METRICS_RETENTION),
                topic(s, prefix, rf, KAFKA_TOPIC_ALERTS, KAFKA_TOPIC_ALERTS_PARTITIONS, KAFKA_TOPIC_ALERTS_RETENTION),
                topic(s, prefix, rf, KAFKA_TOPIC_LOGS, KAFKA_TOPIC_LOGS_PARTITIONS, KAFKA_TOPIC_LOGS_RETENTION),
                topic(s, prefix, rf, KAFKA_TOPIC_ANALYTICS, KAFKA_TOPIC_ANALYTICS_PARTITIONS, KAFKA_TOPIC_ANALYTICS_RETENTION),
                topic(s, prefix, rf, KAFKA_TOPIC_DLQ, KAFKA_TOPIC_DLQ_PARTITIONS, KAFKA_TOPIC_DLQ_RETENTION),
                s.enumValue(KAFKA_EVENT_KEY, EventKey.class),
                compression,
                positive(s, KAFKA_PRODUCER_LINGER, true),
                s.intValue(KAFKA_PRODUCER_BATCH_SIZE, 0),
                s.longValue(KAFKA_PRODUCER_BUFFER_MEMORY, 1024),
                positive(s, KAFKA_PRODUCER_MAX_BLOCK, false),
                positive(s, KAFKA_PRODUCER_DELIVERY_TIMEOUT, false),
                positive(s, KAFKA_REQUEST_TIMEOUT, false),
                s.required(KAFKA_SINK_GROUP, "for the usage sink"),
                s.intValue(KAFKA_CONSUMER_MAX_POLL_RECORDS, 1),
                positive(s, KAFKA_CONSUMER_POLL_TIMEOUT, false),
                positive(s, KAFKA_CONSUMER_SESSION_TIMEOUT, false),
                positive(s, KAFKA_CLOSE_TIMEOUT, false),
                positive(s, KAFKA_HEALTH_TIMEOUT, false),
                config.retry());
    }

    /** Every topic llmstore provisions, in a stable order. */
    public List<TopicSpec> topics() {
        return List.of(events, metrics, alerts, logs, analytics, deadLetter);
    }

    private static TopicSpec topic(Settings s, String prefix, short rf, Setting name, Setting partitions, Setting retention) {
        String full = prefix + s.required(name, "(topic name)");
        try {
            return new TopicSpec(full, s.intValue(partitions, 1), rf, positive(s, retention, false));
        } catch (IllegalArgumentException e) {
            throw s.invalid(name, "a legal topic name (with KAFKA_TOPIC_PREFIX '" + prefix + "'): [a-zA-Z0-9._-], at most 249 characters");
        }
    }

    private static Duration positive(Settings s, Setting setting, boolean zeroAllowed) {
        Duration d = s.duration(setting);
        if (!zeroAllowed && d.isZero()) {
            throw s.invalid(setting, "a duration > 0 such as 500ms or 5s");
        }
        return d;
    }
}
