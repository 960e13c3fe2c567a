package io.tokbench.aggregator.estimate;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.Function;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.state.KeyValueIterator;

/**
 * The points a fit uses when a group has more than it may hold. From the calibration points store,
 * whose keys already sort a group's points by rank, the first {@code limit} ({@link #first}); from
 * points in memory, the {@code limit} whose keys hash lowest (bottom-k sampling, {@link #of}). Either
 * sample is uniform over the group, the same on every replay, and stable: a point stays in it until
 * a lower-ranked one arrives. Memory is bounded by the limit whatever the group's size.
 */
final class FitSample {
  private record Ranked<V>(int rank, String key, V point) {}

  private FitSample() {}

  /** The first {@code limit} points of a scan already in rank order (the calibration points store's), read no further. */
  static <V> List<V> first(KeyValueIterator<String, V> points, int limit) {
    List<V> sample = new ArrayList<>();
    while (sample.size() < limit && points.hasNext()) {
      sample.add(points.next().value);
    }
    return sample;
  }

  /** The same sample of points already read, each keyed by {@code key}. */
  static <V> List<V> of(List<V> points, Function<V, String> key, int limit) {
    if (points.size() <= limit) {
      return points;
    }
    Sampler<V> sampler = new Sampler<>(limit);
    points.forEach(p -> sampler.offer(key.apply(p), p));
    return sampler.sample();
  }

  private static final class Sampler<V> {
    private static final Comparator<Ranked<?>> LOWEST_FIRST = Comparator.<Ranked<?>>comparingInt(Ranked::rank).thenComparing(Ranked::key);
    private final int limit;
    private final PriorityQueue<Ranked<V>> kept = new PriorityQueue<>(LOWEST_FIRST.reversed());

    Sampler(int limit) {
      this.limit = limit;
    }

    void offer(String key, V point) {
      Ranked<V> ranked = new Ranked<>(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8)), key, point);
      if (kept.size() < limit) {
        kept.add(ranked);
      } else if (LOWEST_FIRST.compare(ranked, kept.peek()) < 0) {
        kept.poll();
        kept.add(ranked);
      }
    }

    List<V> sample() {
      List<V> sample = new ArrayList<>(kept.size());
      kept.stream().sorted(LOWEST_FIRST).forEach(r -> sample.add(r.point()));
      return sample;
    }
  }
}
