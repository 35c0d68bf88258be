/**
 * LLM prices and call costs. Entry points: {@link io.llmstore.core.price.PriceCatalog}
 * ({@code bundled()}, {@code fromJson(..)}, {@code withOverride(..)}, {@code find(..)},
 * {@code cost(..)}, {@code extractUsage(..)}), the usage value
 * {@link io.llmstore.core.price.TokenUsage} and the result {@link io.llmstore.core.price.Cost}.
 */
package io.llmstore.core.price;
