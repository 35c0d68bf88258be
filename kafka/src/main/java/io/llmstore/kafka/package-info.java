/**
 * Kafka adapter of llmstore. Entry points: {@link io.llmstore.kafka.KafkaEventPublisher} (the
 * {@code EventPublisher} behind {@code pool.events()}), {@link io.llmstore.kafka.KafkaTopics} (provisioning),
 * {@link io.llmstore.kafka.EventConsumer} (at-least-once consumer with a dead-letter topic) and
 * {@link io.llmstore.kafka.KafkaSink} (events into {@code llm_usage_metrics}). Settings: {@link io.llmstore.kafka.KafkaSettings}.
 */
package io.llmstore.kafka;
