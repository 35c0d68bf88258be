/**
 * LangChain4j integration: {@link io.llmstore.langchain4j.LlmstoreChatMemoryStore}, a {@code ChatMemoryStore} over
 * {@code pool.conversations().history()}.
 */
package io.llmstore.langchain4j;
