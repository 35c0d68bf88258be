package io.llmstore.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class LlmstoreMetricsUnitTest {
    @Test
    void cacheRequestsAppearInTheRegistryAsTheyHappen() {
        StorageConfig config = StorageConfig.builder().environment(Map.of()).systemProperties(new Properties()).build();
        try (StoragePool pool = StoragePool.create(config)) {   // in-process fallbacks only: no server needed
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            new LlmstoreMetrics(pool).bindTo(registry);

            pool.cache().getOrCompute("gpt-4o", "hello", Duration.ofMinutes(1), () -> "hi");
            pool.cache().getOrCompute("gpt-4o", "hello", Duration.ofMinutes(1), () -> "hi");

            assertThat(registry.get("llmstore.cache.requests").tag("result", "hit").functionCounter().count()).isEqualTo(1.0);
            assertThat(registry.get("llmstore.cache.requests").tag("result", "miss").functionCounter().count()).isEqualTo(1.0);
            assertThat(registry.find("llmstore.db.connections").gauges()).isEmpty();
        }
    }
}
