package io.tokbench.aggregator.app;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * How far a consumer group (the aggregator's application id) has committed through its input: the
 * partitions whose end lies beyond the group's committed offset. For whoever must wait until the
 * aggregator has processed what is on a topic: the benchmark between its phases, tests before they
 * stop an instance.
 */
public final class ConsumerGroupLag {
  private ConsumerGroupLag() {}

  /** The partitions the group has committed offsets for. */
  public static Set<TopicPartition> committedPartitions(Admin admin, String groupId) throws ExecutionException, InterruptedException {
    return admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get().keySet();
  }

  /** Every partition of a topic. */
  public static List<TopicPartition> partitionsOf(Admin admin, String topic) throws ExecutionException, InterruptedException {
    return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().stream()
        .map(p -> new TopicPartition(topic, p.partition())).toList();
  }

  /** Of {@code partitions}, those the group has not committed to their end, with how many offsets it is behind (all, where it committed none). */
  public static Map<TopicPartition, Long> behind(Admin admin, String groupId, Collection<TopicPartition> partitions)
      throws ExecutionException, InterruptedException {
    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get();
    Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
    partitions.forEach(tp -> ends.put(tp, OffsetSpec.latest()));
    Map<TopicPartition, Long> behind = new HashMap<>();
    admin.listOffsets(ends).all().get().forEach((tp, end) -> {
      OffsetAndMetadata at = committed.get(tp);
      long position = at == null ? 0 : at.offset();
      if (position < end.offset()) {
        behind.put(tp, end.offset() - position);
      }
    });
    return behind;
  }
}
