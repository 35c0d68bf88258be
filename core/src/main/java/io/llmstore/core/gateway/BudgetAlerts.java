package io.llmstore.core.gateway;

/**
 * Where budget alerts go: the Kafka adapter publishes them on {@code llm-alerts} (keyed by the API key id) when Kafka
 * is configured; without Kafka they are logged at WARN. Implementations must not block for long: {@link #raise} runs
 * on the thread that settled or reserved.
 */
@FunctionalInterface
public interface BudgetAlerts {
    void raise(BudgetAlert alert);
}
