package io.tokbench.aggregator.estimate;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;

/**
 * The points a fit uses when a group has more than it may hold: the {@code limit} points whose keys
 * hash lowest (bottom-k sampling). The sample is uniform over the group's rows, the same on every
 * replay, and stable: a row stays in it until a lower-hashing row arrives. Memory is bounded by the
 * limit whatever the group's size.
 */
final class FitSample {
  private record Ranked<V>(int rank, String key, V point) {}

  private FitSample() {}

  static <V> List<V> of(KeyValueIterator<String, V> points, int limit) {
    Comparator<Ranked<V>> lowestFirst = Comparator.<Ranked<V>>comparingInt(Ranked::rank).thenComparing(Ranked::key);
    Comparator<Ranked<V>> highestFirst = lowestFirst.reversed();
    PriorityQueue<Ranked<V>> kept = new PriorityQueue<>(highestFirst);
    while (points.hasNext()) {
      KeyValue<String, V> next = points.next();
      Ranked<V> ranked = new Ranked<>(Utils.murmur2(next.key.getBytes(StandardCharsets.UTF_8)), next.key, next.value);
      if (kept.size() < limit) {
        kept.add(ranked);
      } else if (lowestFirst.compare(ranked, kept.peek()) < 0) {
        kept.poll();
        kept.add(ranked);
      }
    }
    List<V> sample = new ArrayList<>(kept.size());
    kept.stream().sorted(lowestFirst).forEach(r -> sample.add(r.point()));
    return sample;
  }
}
