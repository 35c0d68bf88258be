package io.llmstore.testkit;

import java.util.Objects;

/**
 * A Redis server a test may use.
 *
 * @param host host name or address
 * @param port TCP port
 */
public record RedisServer(String host, int port) {

  /** Checks the fields; a {@code null} host or an out-of-range port throws. */
  public RedisServer {
    Objects.requireNonNull(host, "host");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be in 1..65535, was " + port);
    }
  }

  /** The {@code redis://host:port} URI, as Lettuce's {@code RedisClient.create(..)} takes it. */
  public String uri() {
    return "redis://" + host + ":" + port;
  }
}
