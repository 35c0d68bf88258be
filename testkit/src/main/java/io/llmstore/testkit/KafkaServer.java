package io.llmstore.testkit;

import java.util.Objects;

/**
 * A Kafka cluster a test may use. Topics are not created on first use: create them with
 * an {@code AdminClient} first (the local broker runs with {@code auto.create.topics.enable=false}).
 *
 * @param bootstrapServers the {@code bootstrap.servers} value, {@code host:port[,host:port...]}
 */
public record KafkaServer(String bootstrapServers) {

  /** Checks that {@code bootstrapServers} is neither {@code null} nor blank. */
  public KafkaServer {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    if (bootstrapServers.isBlank()) {
      throw new IllegalArgumentException("bootstrapServers must not be blank");
    }
  }
}
