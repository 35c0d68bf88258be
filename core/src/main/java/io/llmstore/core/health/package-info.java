/**
 * Health: {@link io.llmstore.core.health.HealthReport} from {@code StoragePool.healthCheck()}, one
 * {@link io.llmstore.core.health.HealthCheck} per component, and the opt-in periodic
 * {@link io.llmstore.core.health.HealthMonitor}.
 */
package io.llmstore.core.health;
