package io.llmstore.kafka.internal;

import io.llmstore.core.error.ConnectionException;
import io.llmstore.core.event.EventPublisher;
import io.llmstore.core.health.HealthCheck;
import io.llmstore.core.spi.Backend;
import io.llmstore.core.spi.BackendContext;
import io.llmstore.core.usage.UsageWriter;
import io.llmstore.kafka.KafkaEventPublisher;
import io.llmstore.kafka.KafkaOptions;
import io.llmstore.kafka.KafkaSink;
import io.llmstore.kafka.KafkaTopics;
import io.llmstore.kafka.ProvisionResult;
import java.util.List;
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

/** The open Kafka backend: one producer, one admin client, the publisher, the topics, and (on demand) the sink. */
public final class KafkaBackend implements Backend {
    private static final Logger log = LoggerFactory.getLogger(KafkaBackend.class);

    private final KafkaOptions options;
    private final Admin admin;
    private final Producer<byte[], byte[]> producer;
    private final KafkaEventPublisher publisher;
    private final KafkaTopics topics;
    private volatile ProvisionResult provisioned;
    private final UsageWriter usageWriter;
    private final AtomicBoolean closed = new AtomicBoolean();
    private KafkaSink sink; // guarded by this

    private KafkaBackend(KafkaOptions options, Admin admin, Producer<byte[], byte[]> producer, KafkaTopics topics,
                         ProvisionResult provisioned, UsageWriter usageWriter) {
        this.options = options;
        this.admin = admin;
        this.producer = producer;
        this.topics = topics;
        this.provisioned = provisioned;
        this.usageWriter = usageWriter;
        // The probe of an unavailable broker also does what start-up could not: create the topics.
        this.publisher = new KafkaEventPublisher(producer, options.events().name(), options.eventKey(),
                options.maxBlock(), options.closeTimeout(), this::probeAndProvision);
    }

    /**
     * Connects (with the connect retry policy), provisions topics if asked, creates the producer. When the broker
     * does not answer and {@code KAFKA_REQUIRED} is false (the default), opens anyway: health reports kafka DOWN (the
     * pool DEGRADED), publishes fail at once with a retryable error, and a background probe provisions the topics and
     * resumes publishing when the broker answers.
     */
    public static KafkaBackend open(BackendContext context) {
        KafkaOptions options = KafkaOptions.from(context.config());
        Admin admin = Admin.create(ClientProperties.admin(options));
        try {
            String unreachable = null;
            try {
                context.retry().connect("Kafka", () -> describeCluster(admin, options));
            } catch (ConnectionException e) {
                if (options.required()) {
                    throw e;
                }
                unreachable = e.getMessage();
            }
            KafkaTopics topics = new KafkaTopics(admin, options.topics(), options.requestTimeout());
            ProvisionResult result = unreachable != null || !options.provision()
                    ? NOT_PROVISIONED : topics.provision();
            Producer<byte[], byte[]> producer = new KafkaProducer<>(ClientProperties.producer(options, "producer"));
            UsageWriter writer = context.ports().find(UsageWriter.class).orElse(null);
            KafkaBackend backend = new KafkaBackend(options, admin, producer, topics, result, writer);
            if (unreachable != null) {
                backend.pendingProvision = options.provision();
                log.warn("Kafka at {} is unreachable; starting DEGRADED (KAFKA_REQUIRED=false): publishes fail at once"
                        + " with a retryable error until the broker answers, then topics are provisioned and publishing"
                        + " resumes by itself ({})", options.client().bootstrapServersText(), unreachable);
                backend.publisher.markBrokerUnavailable(unreachable);
            }
            return backend;
        } catch (RuntimeException e) {
            admin.close(options.closeTimeout());
            throw e;
        }
    }

    private static final ProvisionResult NOT_PROVISIONED = new ProvisionResult(List.of(), List.of(), List.of());
    /** True while the topics still have to be provisioned (the broker was down at start-up). */
    private volatile boolean pendingProvision;

    /** The publisher's probe: the broker answers, and (once) the topics start-up could not create exist. */
    private void probeAndProvision() {
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
        if (type == EventPublisher.class || type == KafkaEventPublisher.class) {
            found = publisher;
        } else if (type == Producer.class) {
            found = producer;
        } else if (type == Admin.class) {
            found = admin;
        } else if (type == KafkaTopics.class) {
            found = topics;
        } else if (type == ProvisionResult.class) {
            found = provisioned;
        } else if (type == KafkaOptions.class) {
            found = options;
        } else if (type == KafkaSink.class) {
            found = sink();
        }
        return Optional.ofNullable(type.cast(found));
    }

    /** The sink over the usage writer of the PostgreSQL backend; null when PostgreSQL is not configured. */
    private synchronized KafkaSink sink() {
        if (usageWriter == null || closed.get()) {
            return null;
        }
        if (sink == null) {
            sink = KafkaSink.create(options, usageWriter, producer);
        }
        return sink;
    }

    @Override
    public List<HealthCheck> healthChecks() {
        // Not critical: without Kafka the application still records usage directly; the pool is DEGRADED.
        return List.of(HealthCheck.of("kafka", false, options.healthTimeout(), () -> describeCluster(admin, options)));
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
            producer.close(options.closeTimeout());
        } finally {
            admin.close(options.closeTimeout());
        }
    }

    @Override
    public String toString() {
        return "KafkaBackend{" + options.client().bootstrapServersText() + ", events=" + options.events().name() + "}";
    }
}
