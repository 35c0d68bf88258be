/**
 * Event streaming: the {@link io.llmstore.core.event.LlmEvent} record, its wire form
 * {@link io.llmstore.core.event.LlmEventJson}, and the {@link io.llmstore.core.event.EventPublisher} port
 * (implemented by {@code llmstore-kafka}), which returns a {@link io.llmstore.core.event.PublishReceipt}.
 */
package io.llmstore.core.event;
