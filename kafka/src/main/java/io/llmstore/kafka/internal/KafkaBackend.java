package io.llmstore.kafka.internal;

import io.llmstore.core.buffer.BufferedWriter;
import io.llmstore.core.buffer.SpoolSettings;
import io.llmstore.core.error.ConnectionException;
import io.llmstore.core.error.NotConfiguredException;
import io.llmstore.core.event.EventPublisher;
import io.llmstore.core.event.EventSink;
import io.llmstore.core.event.Events;
import io.llmstore.core.gateway.BudgetAlerts;
import io.llmstore.core.health.HealthCheck;
import io.llmstore.core.spi.Backend;
import io.llmstore.core.spi.BackendContext;
import io.llmstore.core.usage.UsageWriter;
import io.llmstore.kafka.KafkaBudgetAlerts;
import io.llmstore.kafka.KafkaEventPublisher;
import io.llmstore.kafka.KafkaOptions;
import io.llmstore.kafka.KafkaSink;
import io.llmstore.kafka.KafkaTopics;
import io.llmstore.kafka.ProvisionResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open Kafka backend: one producer (its own, or the application's, which it never closes), one admin client
 * (none when an injected producer came without {@code KAFKA_BOOTSTRAP_SERVERS}), the publisher, the topics, and (on
 * demand) the sink.
 */
public final class KafkaBackend implements Backend {
    private static final Logger log = LoggerFactory.getLogger(KafkaBackend.class);

    private final KafkaOptions options;
    /** Null when the application's producer came without KAFKA_BOOTSTRAP_SERVERS. */
    private final Admin admin;
    private final Producer<byte[], byte[]> producer;
    /** The gateway's budget alerts, on the alerts topic through {@link #producer}. */
    private final KafkaBudgetAlerts budgetAlerts;
    /** The application's producer, as given; null when the backend created its own. */
    private final Producer<String, String> injected;
    private final Events events;
    private final KafkaEventPublisher publisher;
    private final KafkaTopics topics; // null without an admin client
    private volatile ProvisionResult provisioned;
    private final UsageWriter usageWriter;
    private final AtomicBoolean closed = new AtomicBoolean();
    private KafkaSink sink; // guarded by this

    private KafkaBackend(KafkaOptions options, Admin admin, Producer<byte[], byte[]> producer,
                         Producer<String, String> injected, KafkaTopics topics, ProvisionResult provisioned,
                         UsageWriter usageWriter, SpoolSettings spool) {
        this.options = options;
        this.admin = admin;
        this.producer = producer;
        this.injected = injected;
        this.topics = topics;
        this.provisioned = provisioned;
        this.usageWriter = usageWriter;
        // The probe of an unavailable broker also does what start-up could not: create the topics.
        this.budgetAlerts = new KafkaBudgetAlerts(producer, options.alerts().name());
        this.publisher = new KafkaEventPublisher(producer, options.events().name(), options.eventKey(),
                options.maxBlock(), options.closeTimeout(), this::probeAndProvision, spool);
        this.events = Events.of(publisher, this::requireSink);
    }

    /**
     * Connects (with the connect retry policy), provisions topics if asked, creates the producer. When the broker
     * does not answer and {@code KAFKA_REQUIRED} is false (the default), opens anyway: health reports kafka DOWN (the
     * pool DEGRADED), publishes fail at once with a retryable error, and a background probe provisions the topics and
     * resumes publishing when the broker answers.
     */
    public static KafkaBackend open(BackendContext context) {
        return open(context, null);
    }

    /**
     * As {@link #open(BackendContext)}, publishing through the application's {@code producer} (used as given: its
     * serializers must be {@code StringSerializer}s; never closed, only flushed on close) when non-null. Then
     * {@code KAFKA_BOOTSTRAP_SERVERS} is optional: when set, the admin client (health, topic provisioning) and the
     * sink's consumer and dead-letter producer are built from it as usual; when unset, none is: topics are not
     * provisioned, health asks the producer for the events topic's partitions, and {@code events().sink()} says what
     * to set.
     */
    public static KafkaBackend open(BackendContext context, Producer<String, String> injected) {
        KafkaOptions options = injected != null && context.config().kafka().isEmpty()
                ? KafkaOptions.withoutBootstrapServers(context.config()) : KafkaOptions.from(context.config());
        Admin admin = options.hasBootstrapServers() ? Admin.create(ClientProperties.admin(options)) : null;
        try {
            String unreachable = null;
            if (admin != null) {
                try {
                    context.retry().connect("Kafka", () -> describeCluster(admin, options));
                } catch (ConnectionException e) {
                    if (options.required()) {
                        throw e;
                    }
                    unreachable = e.getMessage();
                }
            } else {
                log.warn("Kafka: publishing through the application's producer with KAFKA_BOOTSTRAP_SERVERS unset:"
                        + " topics are not provisioned (topic {} must exist), health asks the producer for its"
                        + " partitions, and events().sink() is unavailable; set KAFKA_BOOTSTRAP_SERVERS to the"
                        + " producer's servers to have all three", options.events().name());
            }
            KafkaTopics topics = admin == null ? null : new KafkaTopics(admin, options.topics(), options.requestTimeout());
            ProvisionResult result = topics == null || unreachable != null || !options.provision()
                    ? NOT_PROVISIONED : topics.provision();
            Producer<byte[], byte[]> producer = injected != null ? new Utf8Producer(injected)
                    : new KafkaProducer<>(ClientProperties.producer(options, "producer"));
            UsageWriter writer = context.ports().find(UsageWriter.class).orElse(null);
            KafkaBackend backend;
            try {
                // SPOOL_DIR: the publisher's unacknowledged events survive a JVM kill in <SPOOL_DIR>/events.
                backend = new KafkaBackend(options, admin, producer, injected, topics, result, writer,
                        SpoolSettings.from(context.config().settings(), KafkaEventPublisher.SPOOL_KIND).orElse(null));
            } catch (RuntimeException e) {
                if (injected == null) {
                    producer.close(Duration.ZERO);
                }
                throw e;
            }
            if (unreachable != null) {
                backend.pendingProvision = options.provision();
                log.warn("Kafka at {} is unreachable; starting DEGRADED (KAFKA_REQUIRED=false): publishes fail at once"
                        + " with a retryable error until the broker answers, then topics are provisioned and publishing"
                        + " resumes by itself ({})", options.client().bootstrapServersText(), unreachable);
                backend.publisher.markBrokerUnavailable(unreachable);
            }
            return backend;
        } catch (RuntimeException e) {
            if (admin != null) {
                admin.close(options.closeTimeout());
            }
            throw e;
        }
    }

    private static final ProvisionResult NOT_PROVISIONED = new ProvisionResult(List.of(), List.of(), List.of());
    /** True while the topics still have to be provisioned (the broker was down at start-up). */
    private volatile boolean pendingProvision;

    /** The publisher's probe: the broker answers, and (once) the topics start-up could not create exist. */
    private void probeAndProvision() {
        if (admin == null) {
            producer.partitionsFor(options.events().name());
            return;
        }
        describeCluster(admin, options);
        if (pendingProvision) {
            provisioned = topics.provision();
            pendingProvision = false;
            log.info("Kafka answers again: topics provisioned ({})", provisioned);
        }
    }

    private static Integer describeCluster(Admin admin, KafkaOptions options) {
        int timeout = (int) options.healthTimeout().toMillis();
        return KafkaErrors.await(admin.describeCluster(new DescribeClusterOptions().timeoutMs(timeout)).nodes(),
                options.healthTimeout(), "describe cluster at " + options.client().bootstrapServersText()).size();
    }

    @Override
    public String name() {
        return "kafka";
    }

    @Override
    public <T> Optional<T> find(Class<T> type) {
        Object found = null;
        if (type == Events.class) {
            found = events;
        } else if (type == EventPublisher.class || type == KafkaEventPublisher.class) {
            found = publisher;
        } else if (type == Producer.class) {
            found = injected != null ? injected : producer;
        } else if (type == Admin.class) {
            found = admin;
        } else if (type == KafkaTopics.class) {
            found = topics;
        } else if (type == ProvisionResult.class) {
            found = provisioned;
        } else if (type == KafkaOptions.class) {
            found = options;
        } else if (type == EventSink.class || type == KafkaSink.class) {
            found = sink();
        } else if (type == BudgetAlerts.class || type == KafkaBudgetAlerts.class) {
            found = budgetAlerts;
        }
        return Optional.ofNullable(type.cast(found));
    }

    /**
     * The sink over the usage writer of the PostgreSQL backend; null when PostgreSQL is not open or there are no
     * bootstrap servers for its consumer. Dead letters go through the pool's own producer, or, beside an injected
     * producer, through the sink's own (their bytes are whatever arrived, not necessarily UTF-8 text).
     */
    private synchronized KafkaSink sink() {
        if (usageWriter == null || closed.get() || !options.hasBootstrapServers()) {
            return null;
        }
        if (sink == null) {
            sink = KafkaSink.create(options, usageWriter, injected != null ? null : producer);
        }
        return sink;
    }

    /** {@code events().sink()}: the sink, or why there is none. */
    private EventSink requireSink() {
        KafkaSink s = sink();
        if (s != null) {
            return s;
        }
        if (closed.get()) {
            throw new IllegalStateException("the Kafka backend is closed");
        }
        if (!options.hasBootstrapServers()) {
            throw new NotConfiguredException("the usage sink reads " + options.events().name() + " with its own"
                    + " consumer: set KAFKA_BOOTSTRAP_SERVERS (the injected producer does not tell its servers)");
        }
        throw EventSink.FEATURE.notConfigured(List.of(name()));
    }

    @Override
    public List<HealthCheck> healthChecks() {
        // Not critical: without Kafka the application still records usage directly; the pool is DEGRADED.
        if (admin == null) {
            // The application's producer alone: its metadata for the events topic, bounded by the check's timeout.
            return List.of(HealthCheck.of("kafka", false, options.healthTimeout(),
                    () -> producer.partitionsFor(options.events().name())));
        }
        return List.of(HealthCheck.of("kafka", false, options.healthTimeout(), () -> describeCluster(admin, options)));
    }

    /** The publisher's spool of unacknowledged events ({@code <SPOOL_DIR>/events}), when {@code SPOOL_DIR} is set. */
    @Override
    public Map<String, BufferedWriter.SpoolStats> spoolStats() {
        return publisher.spoolStats().map(s -> Map.of(KafkaEventPublisher.SPOOL_KIND, s)).orElse(Map.of());
    }

    /** Sends what the producer buffers, waiting at most KAFKA_CLOSE_TIMEOUT (a dead broker cannot hang shutdown). */
    @Override
    public void flush() {
        if (closed.get()) {
            return;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                publisher.flush(); // what waits for the sender thread, then the producer
                done.complete(null);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        }, "llmstore-kafka-flush");
        t.setDaemon(true);
        t.start();
        try {
            done.get(options.closeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            log.warn("Kafka flush did not finish within {} ms (KAFKA_CLOSE_TIMEOUT); unsent events fail their futures "
                    + "when the producer closes", options.closeTimeout().toMillis());
        } catch (java.util.concurrent.ExecutionException e) {
            throw KafkaErrors.translate(e.getCause(), "Kafka: flush", options.maxBlock());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        KafkaSink s;
        synchronized (this) {
            s = sink;
        }
        if (s != null) {
            s.close();
        }
        try {
            publisher.close(); // sends what is pending (bounded by KAFKA_CLOSE_TIMEOUT); leaves the producer open
        } catch (RuntimeException e) {
            log.warn("Kafka publisher did not flush on close: {}", e.getMessage());
        }
        try {
            if (injected == null) {
                producer.close(options.closeTimeout()); // ours; the application's producer is only flushed above
            }
        } finally {
            if (admin != null) {
                admin.close(options.closeTimeout());
            }
        }
    }

    @Override
    public String toString() {
        return "KafkaBackend{" + (options.hasBootstrapServers() ? options.client().bootstrapServersText()
                : "the application's producer") + ", events=" + options.events().name() + "}";
    }
}
