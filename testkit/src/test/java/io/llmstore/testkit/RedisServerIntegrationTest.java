package io.llmstore.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RedisServerIntegrationTest {

  private final RedisServer server = TestServers.redis();
  private final String key = "harness:" + UUID.randomUUID();

  @Test
  void aValueSetWithATtlIsReadBackAndExpiresLater() {
    RedisClient client = RedisClient.create(server.uri());
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      RedisCommands<String, String> redis = connection.sync();
      assertThat(redis.set(key, "cached answer", SetArgs.Builder.ex(60))).isEqualTo("OK");
      assertThat(redis.get(key)).isEqualTo("cached answer");
      assertThat(redis.ttl(key)).isBetween(1L, 60L);
      redis.del(key);
    } finally {
      client.shutdown();
    }
  }
}
