/** Not API: Lettuce plumbing of llmstore-redis (connection, Lua scripts, key encoding, error translation). */
package io.llmstore.redis.internal;
