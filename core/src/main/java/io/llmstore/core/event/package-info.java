/** Event streaming: the {@link io.llmstore.core.event.EventPublisher} port. */
package io.llmstore.core.event;
