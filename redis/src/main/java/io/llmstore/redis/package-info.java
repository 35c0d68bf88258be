/**
 * llmstore's Redis adapter: {@link io.llmstore.redis.RedisBackendProvider} opens it when {@code REDIS_URL} is set;
 * applications use it through core's ports ({@code pool.cache()}, {@code pool.sessions()},
 * {@code pool.limits()}), implemented by {@link io.llmstore.redis.RedisResponseCache},
 * {@link io.llmstore.redis.RedisSessionStore} and {@link io.llmstore.redis.RedisRateLimiters}. Settings:
 * {@link io.llmstore.redis.RedisSettings}.
 */
package io.llmstore.redis;
