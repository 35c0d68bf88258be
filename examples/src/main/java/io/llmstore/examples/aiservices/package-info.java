/**
 * Examples of the AI services database guide: {@link io.llmstore.examples.aiservices.RagLoop} (retrieval over
 * pgvector, conversation history).
 */
package io.llmstore.examples.aiservices;
