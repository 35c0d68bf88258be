/**
 * LLM response caching: the {@link io.llmstore.core.cache.ResponseCache} port, its key scheme
 * ({@link io.llmstore.core.cache.PromptKeys}) and the in-process fallback
 * {@link io.llmstore.core.cache.LocalResponseCache}.
 */
package io.llmstore.core.cache;
