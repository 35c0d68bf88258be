package io.llmstore.testkit;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A Redis Cluster a test may use: the seed nodes, every master and replica of the cluster lane
 * ({@code scripts/test-servers start redis-cluster}: 3 masters, 3 replicas on loopback).
 *
 * @param nodes the nodes as {@code host:port}, at least one
 */
public record RedisClusterServer(List<String> nodes) {

  /** Checks the list; an empty list or an entry without a port throws. */
  public RedisClusterServer {
    nodes = List.copyOf(Objects.requireNonNull(nodes, "nodes"));
    if (nodes.isEmpty()) {
      throw new IllegalArgumentException("nodes must name at least one host:port, was empty");
    }
    for (String n : nodes) {
      int colon = n.lastIndexOf(':');
      if (colon <= 0 || !n.substring(colon + 1).matches("[0-9]{1,5}")) {
        throw new IllegalArgumentException("each node must be host:port, was '" + n + "'");
      }
    }
  }

  /**
   * The seed list in the form Lettuce's {@code RedisClusterClient.create(..)} and llmstore's
   * {@code REDIS_URL} (with {@code REDIS_CLUSTER=true}) take: {@code redis://host:port,host:port,...}.
   */
  public String uri() {
    return "redis://" + String.join(",", nodes);
  }

  /** The {@code redis://host:port} URI of one node, for a standalone client talking to that node only. */
  public List<String> nodeUris() {
    return nodes.stream().map(n -> "redis://" + n).collect(Collectors.toList());
  }
}
