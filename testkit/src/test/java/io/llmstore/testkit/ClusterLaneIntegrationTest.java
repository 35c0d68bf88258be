package io.llmstore.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;

/** The cluster lane is what its tests rely on: 3 + 3 Redis Cluster nodes, a 3-node Kafka quorum, a real standby. */
class ClusterLaneIntegrationTest {
  @Test
  void theRedisClusterHasThreeMastersEachWithAReplicaAndEverySlotServed() {
    RedisClusterClient client = RedisClusterClient.create(TestServers.redisCluster().uri());
    try (var c = client.connect()) {
      assertThat(c.sync().clusterInfo()).contains("cluster_state:ok").contains("cluster_slots_ok:16384");
      long masters = client.getPartitions().stream().filter(n -> n.is(RedisClusterNode.NodeFlag.UPSTREAM)).count();
      long replicas = client.getPartitions().stream().filter(n -> n.is(RedisClusterNode.NodeFlag.REPLICA)).count();
      assertThat(masters).isEqualTo(3);
      assertThat(replicas).isEqualTo(3);
    } finally {
      client.shutdown();
    }
  }

  @Test
  void theKafkaClusterHasThreeBrokers() throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        TestServers.kafkaCluster().bootstrapServers()))) {
      assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(3);
    }
  }

  @Test
  void theReplicaIsAStandbyOfThePostgresServerAndRefusesWrites() throws SQLException {
    PostgresServer primary = TestServers.postgres();
    PostgresServer replica = TestServers.postgresReplica();
    String id = "SELECT system_identifier::text FROM pg_control_system()";
    assertThat(value(replica, id)).as("same cluster as the primary").isEqualTo(value(primary, id));
    assertThat(value(replica, "SELECT pg_is_in_recovery()::text")).isEqualTo("true");
    assertThat(value(replica, "SELECT status FROM pg_stat_wal_receiver")).isEqualTo("streaming");
    try (Connection c = DriverManager.getConnection(replica.jdbcUrl(), replica.user(), replica.password());
         Statement st = c.createStatement()) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> st.execute("CREATE TABLE not_here (x int)"))
          .isInstanceOf(SQLException.class).hasMessageContaining("read-only");
    }
  }

  private static String value(PostgresServer server, String query) throws SQLException {
    try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password());
         Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
