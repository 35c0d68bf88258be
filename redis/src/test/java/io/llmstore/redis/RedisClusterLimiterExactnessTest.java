package io.llmstore.redis;

import io.llmstore.core.config.StorageConfig;

/**
 * The exactness proofs of {@link RedisLimiterExactnessTest} (2 pools x 8 threads on one key, fixed window and token
 * bucket) on the Redis Cluster: the key's slot lives on one master, and each decision is one script there.
 */
class RedisClusterLimiterExactnessTest extends RedisLimiterExactnessTest {
    @Override
    StorageConfig.Builder config(String prefix) {
        return RedisClusterTestPools.config(prefix);
    }
}
