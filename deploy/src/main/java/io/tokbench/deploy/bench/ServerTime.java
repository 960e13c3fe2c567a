package io.tokbench.deploy.bench;

import java.util.Map;
import java.util.NavigableMap;

/**
 * What the aggregator's own query timer saw over a phase: the difference of its cumulative
 * Prometheus buckets before and after. Set beside the clients' latency it tells the time spent
 * answering from the time around it (the network, the HTTP server's queue, both JVMs' stalls and
 * the scheduler of a machine the load shares).
 */
final class ServerTime {
  private ServerTime() {}

  /** One line: how many queries the timer counted, and the bucket bounds that hold 50 % and 99 % of them. */
  static String describe(NavigableMap<Double, Double> before, NavigableMap<Double, Double> after) {
    double total = count(after, Double.POSITIVE_INFINITY) - count(before, Double.POSITIVE_INFINITY);
    if (total <= 0) {
      return "aggregator's own timer of /api/v1/stats: no answer counted (the /metrics histogram is missing)";
    }
    return String.format("aggregator's own timer of the same queries (handler start to answer written, /metrics): %,.0f answers, "
            + "50 %% within %s, 99 %% within %s, %.1f %% within 5 ms",
        total, bound(before, after, 0.50 * total), bound(before, after, 0.99 * total),
        100 * (count(after, 0.005) - count(before, 0.005)) / total);
  }

  /** The smallest bucket bound whose count over the phase reaches {@code wanted}. */
  static String bound(NavigableMap<Double, Double> before, NavigableMap<Double, Double> after, double wanted) {
    for (Map.Entry<Double, Double> bucket : after.entrySet()) {
      if (bucket.getValue() - count(before, bucket.getKey()) >= wanted) {
        return bucket.getKey().isInfinite() ? "more than the largest bucket" : String.format("%s ms", trim(bucket.getKey() * 1000));
      }
    }
    return "more than the largest bucket";
  }

  private static double count(NavigableMap<Double, Double> buckets, double bound) {
    return buckets.getOrDefault(bound, 0.0);
  }

  private static String trim(double millis) {
    return millis == Math.rint(millis) ? String.valueOf((long) millis) : String.valueOf(millis);
  }
}
