package io.tokbench.testkit;

import io.tokbench.registry.server.SchemaRegistryServer;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.BrokerServer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.metadata.bootstrap.BootstrapMetadata;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real KRaft cluster in this JVM ({@link KafkaClusterTestKit}, Apache Kafka's own test kit) and
 * this project's schema registry on a free port, storing into the cluster.
 *
 * <p>Faults for chaos tests: any broker of a multi-broker cluster can be stopped (controlled
 * shutdown: its partition leaderships are handed over first), killed (no hand-over: its partitions
 * have no leader until the controller notices the silence, as after a crash) and started again on
 * the same port and log; the registry can be stopped and started again on the same port.
 */
public final class InProcessKafkaStack implements KafkaStack {
  /** How long a killed broker's partitions stay leaderless: the controller's heartbeat timeout. */
  public static final Duration BROKER_SESSION_TIMEOUT = Duration.ofSeconds(6);

  private final KafkaClusterTestKit cluster;
  private final SchemaRegistryServer.Config registryConfig;
  private final String registryUrl;
  private final int brokers;
  /** Null while stopped. */
  private SchemaRegistryServer registry;

  private InProcessKafkaStack(KafkaClusterTestKit cluster, SchemaRegistryServer registry, SchemaRegistryServer.Config registryConfig, int brokers) {
    this.cluster = cluster;
    this.registry = registry;
    this.registryConfig = registryConfig;
    this.registryUrl = registry.url();
    this.brokers = brokers;
  }

  /** Starts a cluster of 1 to 3 brokers and a registry. */
  public static InProcessKafkaStack start(int brokers) {
    KafkaClusterTestKit cluster = startCluster(brokers);
    try {
      SchemaRegistryServer.Config config = SchemaRegistryServer.Config.forBroker(cluster.bootstrapServers()).withHost("127.0.0.1").withPort(0);
      SchemaRegistryServer registry = SchemaRegistryServer.start(config);
      // Restarts reuse the port, so clients configured with the URL find the registry again.
      return new InProcessKafkaStack(cluster, registry, config.withPort(registry.port()), brokers);
    } catch (RuntimeException e) {
      closeQuietly(cluster);
      throw e;
    }
  }

  /**
   * Just the cluster, for tests that run their own registries. One broker is also the KRaft
   * controller; with more, the controller is a node of its own, so that any broker can be lost.
   * With three brokers every topic is written to at least two replicas before it is acknowledged
   * ({@code min.insync.replicas} 2), as on a production cluster.
   */
  public static KafkaClusterTestKit startCluster(int brokers) {
    String replication = String.valueOf(Math.min(3, brokers));
    String minInSync = brokers >= 3 ? "2" : "1";
    try {
      KafkaClusterTestKit cluster =
          new KafkaClusterTestKit.Builder(
                  new TestKitNodes.Builder(releasedFeatures()).setCombined(brokers == 1).setNumBrokerNodes(brokers).setNumControllerNodes(1).build())
              // Internal topics must fit the cluster, or consumer groups and exactly-once hang.
              .setConfigProp("offsets.topic.replication.factor", replication)
              .setConfigProp("offsets.topic.num.partitions", "5")
              .setConfigProp("transaction.state.log.replication.factor", replication)
              .setConfigProp("transaction.state.log.min.isr", minInSync)
              .setConfigProp("transaction.state.log.num.partitions", "5")
              .setConfigProp("min.insync.replicas", minInSync)
              .setConfigProp("group.initial.rebalance.delay.ms", "0")
              .setConfigProp("default.replication.factor", replication)
              // A stopped broker's leaderships are handed over by stopBroker itself; a plain
              // shutdown (killBroker) then leaves them, as a crash does.
              .setConfigProp("controlled.shutdown.enable", "false")
              .setConfigProp("broker.session.timeout.ms", String.valueOf(BROKER_SESSION_TIMEOUT.toMillis()))
              .setConfigProp("broker.heartbeat.interval.ms", "1000")
              .build();
      cluster.format();
      cluster.startup();
      cluster.waitForReadyBrokers();
      return cluster;
    } catch (Exception e) {
      throw new IllegalStateException("Cannot start an in-process Kafka cluster of " + brokers + " broker(s): " + e.getMessage(), e);
    }
  }

  /**
   * The metadata version and feature levels a released Kafka formats a new cluster with (what
   * {@code kafka-storage format --release-version} and the local stack do), among them
   * transactions version 2. The kit's own default is the newest unreleased metadata version with
   * no feature levels, which no real cluster runs.
   */
  private static BootstrapMetadata releasedFeatures() {
    MetadataVersion release = MetadataVersion.LATEST_PRODUCTION;
    Map<String, Short> levels = new HashMap<>();
    for (Feature feature : Feature.PRODUCTION_FEATURES) {
      if (feature != Feature.KRAFT_VERSION) {
        levels.put(feature.featureName(), feature.defaultLevel(release));
      }
    }
    return BootstrapMetadata.fromVersions(release, levels, "the features of release " + release);
  }

  @Override
  public String bootstrapServers() {
    return cluster.bootstrapServers();
  }

  @Override
  public String registryUrl() {
    return registryUrl;
  }

  @Override
  public int brokers() {
    return brokers;
  }

  /** The ids of the brokers, running or not. */
  public SortedSet<Integer> brokerIds() {
    return new TreeSet<>(cluster.brokers().keySet());
  }

  /**
   * Stops a broker as an operator would: it asks the controller to move its leaderships to the
   * other replicas, waits until they moved, then shuts down.
   */
  public void stopBroker(int id) {
    BrokerServer broker = broker(id);
    broker.replicaManager().beginControlledShutdown();
    broker.lifecycleManager().beginControlledShutdown();
    try {
      broker.lifecycleManager().controlledShutdownFuture().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while broker " + id + " handed over its partitions", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("broker " + id + " could not hand over its partitions: " + e, e);
    }
    broker.shutdown();
    broker.awaitShutdown();
  }

  /**
   * Takes a broker away without warning: its connections drop mid-request and its partitions
   * have no leader until the controller misses its heartbeats ({@link #BROKER_SESSION_TIMEOUT})
   * and elects new leaders from the in-sync replicas. (In one JVM the log is still closed cleanly;
   * what clients and the rest of the cluster see is a crash.)
   */
  public void killBroker(int id) {
    BrokerServer broker = broker(id);
    broker.shutdown();
    broker.awaitShutdown();
  }

  /** Starts a stopped or killed broker again on its port and log; returns once it serves. */
  public void startBroker(int id) {
    BrokerServer broker = broker(id);
    broker.startup();
    try {
      // Serving once the controller unfenced it (the kit's waitForReadyBrokers would wait for all).
      broker.lifecycleManager().initialUnfenceFuture().get(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while broker " + id + " started", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("broker " + id + " did not start again: " + e, e);
    }
  }

  private BrokerServer broker(int id) {
    BrokerServer broker = cluster.brokers().get(id);
    if (broker == null) {
      throw new IllegalArgumentException("no broker " + id + "; the brokers are " + brokerIds());
    }
    return broker;
  }

  /**
   * Waits until every broker's own metadata has each topic with a leader for every partition. A
   * topic the controller just created reaches the brokers one by one; a client asking a broker
   * that has not heard of it yet sees no partitions.
   */
  public void awaitTopicsOnEveryBroker(Collection<String> topics, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (String broker : bootstrapServers().split(",")) {
      // A fresh consumer's first metadata request goes to its only bootstrap address.
      while (!knowsAll(broker, topics)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("broker " + broker + " did not learn of " + topics + " within " + timeout);
        }
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
    }
  }

  private static boolean knowsAll(String broker, Collection<String> topics) {
    Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker, ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      for (String topic : topics) {
        List<PartitionInfo> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(5));
        if (partitions == null || partitions.isEmpty() || partitions.stream().anyMatch(p -> p.leader() == null || p.leader().isEmpty())) {
          return false;
        }
      }
      return true;
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      return false;
    }
  }

  /** Stops the registry: its clients get connection refused until {@link #startRegistry()}. */
  public synchronized void stopRegistry() {
    if (registry != null) {
      registry.close();
      registry = null;
    }
  }

  /** Starts the registry again on the same port; it replays its topic before answering. */
  public synchronized void startRegistry() {
    if (registry == null) {
      registry = SchemaRegistryServer.start(registryConfig);
    }
  }

  @Override
  public String description() {
    return "in-process KRaft cluster (" + brokers + " broker(s)) at " + bootstrapServers() + " + tokbench registry at " + registryUrl();
  }

  @Override
  public void close() {
    stopRegistry();
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
