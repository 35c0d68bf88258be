package io.llmstore.kafka;

import io.llmstore.core.config.Setting;
import java.util.List;

/**
 * The variables the Kafka module reads (besides core's {@code KAFKA_BOOTSTRAP_SERVERS} and {@code KAFKA_CLIENT_ID}).
 * Durations take {@code 250ms}, {@code 30s}, {@code 5m}, {@code 7d}; sizes are bytes.
 */
public final class KafkaSettings {
    private KafkaSettings() {
    }

    public static final Setting KAFKA_REQUIRED = Setting.of("KAFKA_REQUIRED", "false",
            "true: StoragePool.create fails when the broker does not answer; false: the pool opens DEGRADED, publishes fail at once (retryable) until the broker answers, then topics are provisioned and publishing resumes by itself");

    // Topics ------------------------------------------------------------------------------------------------------
    public static final Setting KAFKA_TOPIC_PREFIX = Setting.of("KAFKA_TOPIC_PREFIX", "",
            "prepended to every topic name (e.g. 'staging.' or a test's random prefix)");
    public static final Setting KAFKA_REPLICATION_FACTOR = Setting.of("KAFKA_REPLICATION_FACTOR", "1",
            "replication factor of topics llmstore creates (use 3 on a production cluster)");
    public static final Setting KAFKA_TOPICS_PROVISION = Setting.of("KAFKA_TOPICS_PROVISION", "true",
            "create missing topics when the pool opens; a topic with fewer partitions is reported (WARN), not changed");

    public static final Setting KAFKA_TOPIC_EVENTS = Setting.of("KAFKA_TOPIC_EVENTS", "llm-events", "topic of LLM call events");
    public static final Setting KAFKA_TOPIC_EVENTS_PARTITIONS = Setting.of("KAFKA_TOPIC_EVENTS_PARTITIONS", "6", "partitions of the events topic");
    public static final Setting KAFKA_TOPIC_EVENTS_RETENTION = Setting.of("KAFKA_TOPIC_EVENTS_RETENTION", "7d", "retention.ms of the events topic");
    public static final Setting KAFKA_TOPIC_METRICS = Setting.of("KAFKA_TOPIC_METRICS", "llm-metrics", "topic of metrics");
    public static final Setting KAFKA_TOPIC_METRICS_PARTITIONS = Setting.of("KAFKA_TOPIC_METRICS_PARTITIONS", "3", "partitions of the metrics topic");
    public static final Setting KAFKA_TOPIC_METRICS_RETENTION = Setting.of("KAFKA_TOPIC_METRICS_RETENTION", "7d", "retention.ms of the metrics topic");
    public static final Setting KAFKA_TOPIC_ALERTS = Setting.of("KAFKA_TOPIC_ALERTS", "llm-alerts", "topic of alerts");
    public static final Setting KAFKA_TOPIC_ALERTS_PARTITIONS = Setting.of("KAFKA_TOPIC_ALERTS_PARTITIONS", "3", "partitions of the alerts topic");
    public static final Setting KAFKA_TOPIC_ALERTS_RETENTION = Setting.of("KAFKA_TOPIC_ALERTS_RETENTION", "30d", "retention.ms of the alerts topic");
    public static final Setting KAFKA_TOPIC_LOGS = Setting.of("KAFKA_TOPIC_LOGS", "llm-logs", "topic of logs");
    public static final Setting KAFKA_TOPIC_LOGS_PARTITIONS = Setting.of("KAFKA_TOPIC_LOGS_PARTITIONS", "6", "partitions of the logs topic");
    public static final Setting KAFKA_TOPIC_LOGS_RETENTION = Setting.of("KAFKA_TOPIC_LOGS_RETENTION", "3d", "retention.ms of the logs topic");
    public static final Setting KAFKA_TOPIC_ANALYTICS = Setting.of("KAFKA_TOPIC_ANALYTICS", "llm-analytics", "topic of analytics results");
    public static final Setting KAFKA_TOPIC_ANALYTICS_PARTITIONS = Setting.of("KAFKA_TOPIC_ANALYTICS_PARTITIONS", "3", "partitions of the analytics topic");
    public static final Setting KAFKA_TOPIC_ANALYTICS_RETENTION = Setting.of("KAFKA_TOPIC_ANALYTICS_RETENTION", "30d", "retention.ms of the analytics topic");
    public static final Setting KAFKA_TOPIC_DLQ = Setting.of("KAFKA_TOPIC_DLQ", "llm-events-dlq",
            "dead-letter topic: records a consumer could not read or store, with headers saying why and from where");
    public static final Setting KAFKA_TOPIC_DLQ_PARTITIONS = Setting.of("KAFKA_TOPIC_DLQ_PARTITIONS", "3", "partitions of the dead-letter topic");
    public static final Setting KAFKA_TOPIC_DLQ_RETENTION = Setting.of("KAFKA_TOPIC_DLQ_RETENTION", "30d", "retention.ms of the dead-letter topic");

    // Producer ----------------------------------------------------------------------------------------------------
    public static final Setting KAFKA_EVENT_KEY = Setting.of("KAFKA_EVENT_KEY", "user-or-model",
            "partition key of events: user-or-model|user|model|event-id (one key's events stay ordered)");
    public static final Setting KAFKA_PRODUCER_COMPRESSION = Setting.of("KAFKA_PRODUCER_COMPRESSION", "lz4",
            "compression.type: none|gzip|snappy|lz4|zstd");
    public static final Setting KAFKA_PRODUCER_LINGER = Setting.of("KAFKA_PRODUCER_LINGER", "5ms",
            "linger.ms: wait this long to fill a batch");
    public static final Setting KAFKA_PRODUCER_BATCH_SIZE = Setting.of("KAFKA_PRODUCER_BATCH_SIZE", "65536",
            "batch.size in bytes per partition");
    public static final Setting KAFKA_PRODUCER_BUFFER_MEMORY = Setting.of("KAFKA_PRODUCER_BUFFER_MEMORY", "33554432",
            "buffer.memory in bytes; when full, publish waits up to KAFKA_PRODUCER_MAX_BLOCK then fails with BufferFullException");
    public static final Setting KAFKA_PRODUCER_MAX_BLOCK = Setting.of("KAFKA_PRODUCER_MAX_BLOCK", "5s",
            "max.block.ms: longest the publisher's sender thread waits for broker metadata or buffer space before the publish's future fails (the caller never waits)");
    public static final Setting KAFKA_PRODUCER_DELIVERY_TIMEOUT = Setting.of("KAFKA_PRODUCER_DELIVERY_TIMEOUT", "2m",
            "delivery.timeout.ms: the future fails if the broker has not acknowledged within this (retries included)");
    public static final Setting KAFKA_REQUEST_TIMEOUT = Setting.of("KAFKA_REQUEST_TIMEOUT", "30s",
            "request.timeout.ms of producer, consumer and admin requests");

    // Consumer and sink -------------------------------------------------------------------------------------------
    public static final Setting KAFKA_SINK_GROUP = Setting.of("KAFKA_SINK_GROUP", "llmstore-usage-sink",
            "consumer group of the events -> llm_usage_metrics sink (add instances to scale out)");
    public static final Setting KAFKA_CONSUMER_MAX_POLL_RECORDS = Setting.of("KAFKA_CONSUMER_MAX_POLL_RECORDS", "5000",
            "most records handed to a handler in one batch (Kafka's own default is 500; larger batches make the sink's COPY and commit cheaper per row)");
    public static final Setting KAFKA_CONSUMER_POLL_TIMEOUT = Setting.of("KAFKA_CONSUMER_POLL_TIMEOUT", "500ms",
            "longest one poll waits for records; also bounds how fast shutdown is noticed");
    public static final Setting KAFKA_CONSUMER_SESSION_TIMEOUT = Setting.of("KAFKA_CONSUMER_SESSION_TIMEOUT", "10s",
            "session.timeout.ms: a consumer (sink instance) that dies without leaving is replaced after this; its partitions resume elsewhere within about this plus one rebalance (Kafka's default is 45s; the broker accepts 6s..30m)");
    public static final Setting KAFKA_CLOSE_TIMEOUT = Setting.of("KAFKA_CLOSE_TIMEOUT", "10s",
            "bound on closing producer, admin and consumers (flush and commit included)");
    public static final Setting KAFKA_HEALTH_TIMEOUT = Setting.of("KAFKA_HEALTH_TIMEOUT", "2s",
            "bound on the health check (describeCluster) and the start-up probe");

    /** Every Kafka module setting, in the order docs/configuration.md lists them. */
    public static final List<Setting> ALL = List.of(
            KAFKA_REQUIRED, KAFKA_TOPIC_PREFIX, KAFKA_REPLICATION_FACTOR, KAFKA_TOPICS_PROVISION,
            KAFKA_TOPIC_EVENTS, KAFKA_TOPIC_EVENTS_PARTITIONS, KAFKA_TOPIC_EVENTS_RETENTION,
            KAFKA_TOPIC_METRICS, KAFKA_TOPIC_METRICS_PARTITIONS, KAFKA_TOPIC_METRICS_RETENTION,
            KAFKA_TOPIC_ALERTS, KAFKA_TOPIC_ALERTS_PARTITIONS, KAFKA_TOPIC_ALERTS_RETENTION,
            KAFKA_TOPIC_LOGS, KAFKA_TOPIC_LOGS_PARTITIONS, KAFKA_TOPIC_LOGS_RETENTION,
            KAFKA_TOPIC_ANALYTICS, KAFKA_TOPIC_ANALYTICS_PARTITIONS, KAFKA_TOPIC_ANALYTICS_RETENTION,
            KAFKA_TOPIC_DLQ, KAFKA_TOPIC_DLQ_PARTITIONS, KAFKA_TOPIC_DLQ_RETENTION,
            KAFKA_EVENT_KEY, KAFKA_PRODUCER_COMPRESSION, KAFKA_PRODUCER_LINGER, KAFKA_PRODUCER_BATCH_SIZE,
            KAFKA_PRODUCER_BUFFER_MEMORY, KAFKA_PRODUCER_MAX_BLOCK, KAFKA_PRODUCER_DELIVERY_TIMEOUT,
            KAFKA_REQUEST_TIMEOUT, KAFKA_SINK_GROUP, KAFKA_CONSUMER_MAX_POLL_RECORDS, KAFKA_CONSUMER_POLL_TIMEOUT,
            KAFKA_CONSUMER_SESSION_TIMEOUT, KAFKA_CLOSE_TIMEOUT, KAFKA_HEALTH_TIMEOUT);
}
