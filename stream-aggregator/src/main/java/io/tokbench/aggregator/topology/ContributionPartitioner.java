package io.tokbench.aggregator.topology;

import io.tokbench.aggregator.state.ContributionEvent;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * Samples go to the partition of their model (Kafka's default hash of the key, so interactive
 * queries find them with the default partitioner); retractions go to every partition.
 */
public final class ContributionPartitioner implements StreamPartitioner<String, ContributionEvent> {

  /** Kafka's default partitioning of a String key: where a model's rows are. */
  public static int partitionOf(String key, int numPartitions) {
    return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % numPartitions;
  }

  @Override
  public Optional<Set<Integer>> partitions(String topic, String key, ContributionEvent value, int numPartitions) {
    if (value.getSample() != null) {
      return Optional.of(Set.of(partitionOf(key, numPartitions)));
    }
    Set<Integer> all = new HashSet<>();
    for (int p = 0; p < numPartitions; p++) {
      all.add(p);
    }
    return Optional.of(all);
  }
}
