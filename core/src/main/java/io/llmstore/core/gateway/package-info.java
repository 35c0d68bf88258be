/**
 * The LLM gateway's repositories, from {@code pool.gateway()}: {@link io.llmstore.core.gateway.Gateway} with
 * {@link io.llmstore.core.gateway.ApiKeys}, {@link io.llmstore.core.gateway.Models},
 * {@link io.llmstore.core.gateway.UsageRecords} and {@link io.llmstore.core.gateway.MonthlySummaries}. The stores
 * ({@link io.llmstore.core.gateway.GatewayStore}) and the shared cache tier
 * ({@link io.llmstore.core.gateway.SharedCacheTier}) are ports the backend modules implement.
 */
package io.llmstore.core.gateway;
