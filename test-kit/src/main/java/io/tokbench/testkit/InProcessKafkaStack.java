package io.tokbench.testkit;

import io.tokbench.registry.server.SchemaRegistryServer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real KRaft cluster in this JVM ({@link KafkaClusterTestKit}, Apache Kafka's own test kit) and
 * this project's schema registry on a free port, storing into the cluster.
 */
public final class InProcessKafkaStack implements KafkaStack {
  private final KafkaClusterTestKit cluster;
  private final SchemaRegistryServer registry;
  private final int brokers;

  private InProcessKafkaStack(KafkaClusterTestKit cluster, SchemaRegistryServer registry, int brokers) {
    this.cluster = cluster;
    this.registry = registry;
    this.brokers = brokers;
  }

  /** Starts a cluster of 1 to 3 brokers (one of them also the KRaft controller) and a registry. */
  public static InProcessKafkaStack start(int brokers) {
    KafkaClusterTestKit cluster = startCluster(brokers);
    try {
      SchemaRegistryServer registry =
          SchemaRegistryServer.start(SchemaRegistryServer.Config.forBroker(cluster.bootstrapServers()).withHost("127.0.0.1").withPort(0));
      return new InProcessKafkaStack(cluster, registry, brokers);
    } catch (RuntimeException e) {
      closeQuietly(cluster);
      throw e;
    }
  }

  /** Just the cluster, for tests that run their own registries. */
  public static KafkaClusterTestKit startCluster(int brokers) {
    String replication = String.valueOf(Math.min(3, brokers));
    try {
      KafkaClusterTestKit cluster =
          new KafkaClusterTestKit.Builder(
                  // The released metadata version, as a real cluster runs: the kit defaults to the
                  // newest unreleased one, whose unstable features real brokers do not have.
                  new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(brokers).setNumControllerNodes(1)
                      .setBootstrapMetadataVersion(MetadataVersion.LATEST_PRODUCTION).build())
              // Internal topics must fit the cluster, or consumer groups and exactly-once hang.
              .setConfigProp("offsets.topic.replication.factor", replication)
              .setConfigProp("offsets.topic.num.partitions", "5")
              .setConfigProp("transaction.state.log.replication.factor", replication)
              .setConfigProp("transaction.state.log.min.isr", "1")
              .setConfigProp("transaction.state.log.num.partitions", "5")
              .setConfigProp("group.initial.rebalance.delay.ms", "0")
              .setConfigProp("default.replication.factor", replication)
              .build();
      cluster.format();
      cluster.startup();
      cluster.waitForReadyBrokers();
      return cluster;
    } catch (Exception e) {
      throw new IllegalStateException("Cannot start an in-process Kafka cluster of " + brokers + " broker(s): " + e.getMessage(), e);
    }
  }

  @Override
  public String bootstrapServers() {
    return cluster.bootstrapServers();
  }

  @Override
  public String registryUrl() {
    return registry.url();
  }

  @Override
  public int brokers() {
    return brokers;
  }

  @Override
  public String description() {
    return "in-process KRaft cluster (" + brokers + " broker(s)) at " + bootstrapServers() + " + tokbench registry at " + registryUrl();
  }

  @Override
  public void close() {
    registry.close();
    closeQuietly(cluster);
  }

  private static void closeQuietly(KafkaClusterTestKit cluster) {
    try {
      cluster.close();
    } catch (Exception e) {
      throw new IllegalStateException("Kafka cluster did not close cleanly", e);
    }
  }
}
