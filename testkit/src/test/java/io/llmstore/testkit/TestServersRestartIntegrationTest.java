package io.llmstore.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.Test;

class TestServersRestartIntegrationTest {

  @Test
  void aStoppedServerRefusesConnectionsAndAnswersAgainAfterStart() {
    RedisServer server = TestServers.redis();
    if (!TestServers.canRestart("redis")) {
      // From an env variable or a container: the harness must say so, not pretend.
      assertThatThrownBy(() -> TestServers.stop("redis")).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("scripts/test-servers");
      return;
    }
    RedisClient client = RedisClient.create(server.uri());
    try {
      TestServers.stop("redis");
      try {
        assertThatThrownBy(client::connect).isInstanceOf(RedisConnectionException.class);
      } finally {
        TestServers.start("redis");
      }
      try (StatefulRedisConnection<String, String> connection = client.connect()) {
        assertThat(connection.sync().ping()).isEqualTo("PONG");
      }
    } finally {
      client.shutdown();
    }
  }
}
