package io.tokbench.aggregator.topology;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates the aggregator's topics, or checks that existing ones can carry its work. */
public final class TopicInitializer {
  private static final Logger log = LoggerFactory.getLogger(TopicInitializer.class);

  private TopicInitializer() {}

  public static void ensure(Map<String, Object> adminConfig, int partitions, short replication) {
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
      // The contributions topic must be partitioned like the input, or a model's samples would
      // be split between tasks that each think they hold the whole model.
      Map<String, TopicDescription> described = admin.describeTopics(Set.of(Topics.REPORTS, Topics.CONTRIBUTIONS)).allTopicNames().get(30, TimeUnit.SECONDS);
      int input = described.get(Topics.REPORTS).partitions().size();
      int contributions = described.get(Topics.CONTRIBUTIONS).partitions().size();
      if (contributions < input) {
        throw new IllegalStateException(Topics.CONTRIBUTIONS + " has " + contributions + " partitions but " + Topics.REPORTS + " has " + input
            + ": add partitions to " + Topics.CONTRIBUTIONS + " to match");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("Kafka did not answer while creating topics: " + e.getMessage(), e);
    }
  }
}
