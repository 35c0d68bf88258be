/** LLM response caching: the {@link io.llmstore.core.cache.ResponseCache} port. */
package io.llmstore.core.cache;
