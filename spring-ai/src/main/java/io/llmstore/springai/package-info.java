/**
 * Spring AI integration: {@link io.llmstore.springai.LlmstoreChatMemoryRepository}, a {@code ChatMemoryRepository}
 * over {@code pool.conversations().history()}.
 */
package io.llmstore.springai;
