/**
 * The gateway's Redis parts: {@link io.llmstore.redis.gateway.RedisCacheTier}, the shared cache tier and the
 * invalidation channel between instances. The backend builds them when PostgreSQL serves the gateway's store.
 */
package io.llmstore.redis.gateway;
