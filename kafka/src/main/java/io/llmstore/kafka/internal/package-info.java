/** Not API: Kafka client plumbing of llmstore-kafka (client properties, error translation, the backend). */
package io.llmstore.kafka.internal;
