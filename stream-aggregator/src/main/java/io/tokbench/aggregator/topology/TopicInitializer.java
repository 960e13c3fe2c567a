package io.tokbench.aggregator.topology;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates the aggregator's topics, or checks that existing ones can carry its work. */
public final class TopicInitializer {
  private static final Logger log = LoggerFactory.getLogger(TopicInitializer.class);
  private static final Duration VISIBILITY_TIMEOUT = Duration.ofSeconds(60);

  private TopicInitializer() {}

  /** @return the partitions of the contributions topic, which hold the aggregate's tables (a model in murmur2 of its name) */
  public static int ensure(Map<String, Object> adminConfig, int partitions, short replication) {
    try (Admin admin = Admin.create(adminConfig)) {
      // Only missing topics are created: on a secured cluster the topics are made by the operator
      // (manifests, set-up job) and the aggregator's principal may describe but not create them.
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> wanted = new ArrayList<>();
      for (Topics.Spec spec : Topics.all(partitions)) {
        if (!existing.contains(spec.name())) {
          Map<String, String> configs = new HashMap<>(spec.configs());
          configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, String.valueOf(Topics.minInSyncReplicas(replication)));
          wanted.add(new NewTopic(spec.name(), spec.partitions(), replication).configs(configs));
        }
      }
      for (NewTopic topic : wanted) {
        try {
          admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
          log.info("Created topic {} ({} partitions)", topic.name(), topic.numPartitions());
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException("Cannot create topic " + topic.name() + ": " + e.getCause().getMessage(), e.getCause());
          }
        }
      }
      // Before describing them: a broker that has not heard of a topic just created answers
      // UnknownTopicOrPartition, which failed a start on a fresh three-broker cluster.
      awaitVisible(admin, adminConfig, Topics.all(partitions).stream().map(Topics.Spec::name).toList());
      // The contributions topic must be partitioned like the input, or a model's samples would
      // be split between tasks that each think they hold the whole model.
      Map<String, TopicDescription> described = admin.describeTopics(Set.of(Topics.REPORTS, Topics.CONTRIBUTIONS)).allTopicNames().get(30, TimeUnit.SECONDS);
      int input = described.get(Topics.REPORTS).partitions().size();
      int contributions = described.get(Topics.CONTRIBUTIONS).partitions().size();
      if (contributions < input) {
        throw new IllegalStateException(Topics.CONTRIBUTIONS + " has " + contributions + " partitions but " + Topics.REPORTS + " has " + input
            + ": add partitions to " + Topics.CONTRIBUTIONS + " to match");
      }
      return contributions;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("Kafka did not answer while creating topics: " + e.getMessage(), e);
    }
  }

  /**
   * Waits until every broker's metadata has every topic with a leader for each partition. A topic
   * just created is committed by the controller before each broker has applied it; a client asking
   * a broker in that gap is told the topic has no partitions (Kafka Streams' global store then
   * fails the start) or does not exist. Each broker is asked directly: a consumer bootstrapped with
   * that broker alone sends its first metadata request there.
   */
  static void awaitVisible(Admin admin, Map<String, Object> clientConfig, List<String> topics)
      throws InterruptedException, ExecutionException, java.util.concurrent.TimeoutException {
    long deadline = System.nanoTime() + VISIBILITY_TIMEOUT.toNanos();
    List<String> brokers = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).stream().map(node -> node.host() + ":" + node.port()).toList();
    List<String> waiting = new ArrayList<>(brokers);
    while (true) {
      waiting.removeIf(broker -> knowsAll(clientConfig, broker, topics));
      if (waiting.isEmpty()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new java.util.concurrent.TimeoutException("brokers " + waiting + " did not know every topic after " + VISIBILITY_TIMEOUT.toSeconds() + " s");
      }
      Thread.sleep(100);
    }
  }

  /** Whether this broker's metadata holds every topic with a leader for each of its partitions. */
  private static boolean knowsAll(Map<String, Object> clientConfig, String broker, List<String> topics) {
    Map<String, Object> config = new HashMap<>(clientConfig);
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker);
    config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    try (Consumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      Map<String, List<PartitionInfo>> known = consumer.listTopics(Duration.ofSeconds(10));
      return topics.stream().allMatch(topic -> known.containsKey(topic) && !known.get(topic).isEmpty()
          && known.get(topic).stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
    } catch (org.apache.kafka.common.KafkaException e) {
      return false; // not reachable or not answering yet: asked again
    }
  }
}
