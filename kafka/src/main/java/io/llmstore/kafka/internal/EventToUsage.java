package io.llmstore.kafka.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmstore.core.event.LlmEvent;
import io.llmstore.core.usage.UsageMetric;
import java.util.Map;

/** Converts an {@link LlmEvent} into the {@code llm_usage_metrics} row it stands for. Stateless. */
public final class EventToUsage {
    /** Attribute copied into {@code application_id}. */
    public static final String APPLICATION_ID = "application_id";
    /** Attribute copied into {@code environment}. */
    public static final String ENVIRONMENT = "environment";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private EventToUsage() {
    }

    /**
     * One request; an {@code error} event counts as a failed request, any other type as a successful one. The
     * attributes {@code application_id} and {@code environment} fill their columns; the event type and the other
     * attributes go to {@code metadata} as a JSON object.
     *
     * @throws IllegalArgumentException when the event does not fit a usage row (e.g. a cost with more than 18 decimal places)
     */
    public static UsageMetric convert(LlmEvent e) {
        ObjectNode metadata = MAPPER.createObjectNode();
        metadata.put("event_type", e.eventType());
        for (Map.Entry<String, String> a : e.attributes().entrySet()) {
            if (!a.getKey().equals(APPLICATION_ID) && !a.getKey().equals(ENVIRONMENT)) {
                metadata.put(a.getKey(), a.getValue());
            }
        }
        long errors = e.isError() ? 1 : 0;
        return UsageMetric.builder()
                .eventId(e.eventId())
                .time(e.timestamp())
                .model(e.modelId())
                .provider(e.provider())
                .requests(1)
                .tokens(e.tokenInput(), e.tokenOutput())
                .costUsd(e.costUsd())
                .priceSource(e.costUsd() == null ? null : e.priceSource())
                .cacheTokens(e.tokenCacheRead(), e.tokenCacheWrite())
                .reasoningTokens(e.tokenReasoning())
                .latencyMs(e.latency().toNanos() / 1_000_000.0)
                .errors(errors)
                .successes(1 - errors)
                .user(e.userId())
                .application(e.attributes().get(APPLICATION_ID))
                .environment(e.attributes().get(ENVIRONMENT))
                .metadata(metadata.toString())
                .build();
    }
}
