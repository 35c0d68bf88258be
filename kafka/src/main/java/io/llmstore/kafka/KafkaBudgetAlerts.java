package io.llmstore.kafka;

import io.llmstore.core.gateway.BudgetAlert;
import io.llmstore.core.gateway.BudgetAlerts;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the gateway's budget alerts on the alerts topic ({@code KAFKA_TOPIC_ALERTS}, {@code llm-alerts}) as
 * {@link BudgetAlert#toJson()} values keyed by the API key id, through the pool's producer. Sends without waiting; a
 * failed send is logged at WARN with the alert (Redis already decided it fired once, so it is not raised again).
 */
public final class KafkaBudgetAlerts implements BudgetAlerts {
    private static final Logger log = LoggerFactory.getLogger(KafkaBudgetAlerts.class);
    private final Producer<byte[], byte[]> producer;
    private final String topic;

    public KafkaBudgetAlerts(Producer<byte[], byte[]> producer, String topic) {
        this.producer = producer;
        this.topic = topic;
    }

    @Override
    public void raise(BudgetAlert alert) {
        String json = alert.toJson();
        producer.send(new ProducerRecord<>(topic, Long.toString(alert.apiKeyId()).getBytes(StandardCharsets.UTF_8),
                json.getBytes(StandardCharsets.UTF_8)), (metadata, e) -> {
                    if (e != null) {
                        log.warn("budget alert not published on {}: {} ({})", topic, json, e.toString());
                    }
                });
    }

    /** The topic alerts go to. */
    public String topic() {
        return topic;
    }
}
