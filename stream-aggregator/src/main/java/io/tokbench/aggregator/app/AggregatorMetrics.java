package io.tokbench.aggregator.app;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counters the Prometheus endpoint exposes next to Kafka Streams' own metrics. */
public final class AggregatorMetrics {
  private final LongAdder accepted = new LongAdder();
  private final LongAdder duplicates = new LongAdder();
  private final LongAdder threadReplacements = new LongAdder();
  private final Map<String, LongAdder> rejected = new ConcurrentHashMap<>();
  private final LatencyHistogram queries = new LatencyHistogram();

  public void accepted() {
    accepted.increment();
  }

  public void rejected(String reasonCode) {
    rejected.computeIfAbsent(reasonCode, r -> new LongAdder()).increment();
  }

  /** A report id already counted came again (the agent's spool resends after a crash). */
  public void duplicate() {
    duplicates.increment();
  }

  public long duplicateCount() {
    return duplicates.sum();
  }

  /** A stream thread died for a reason that is not a record's fault and was replaced. */
  public void threadReplaced() {
    threadReplacements.increment();
  }

  public long threadReplacementCount() {
    return threadReplacements.sum();
  }

  public long acceptedCount() {
    return accepted.sum();
  }

  public Map<String, LongAdder> rejectedCounts() {
    return rejected;
  }

  public LatencyHistogram queries() {
    return queries;
  }

  /** Query latencies in fixed buckets, Prometheus-style (cumulative counts per upper bound). */
  public static final class LatencyHistogram {
    static final double[] BOUNDS_SECONDS = {0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
    private final LongAdder[] buckets = new LongAdder[BOUNDS_SECONDS.length + 1];
    private final LongAdder count = new LongAdder();
    private final java.util.concurrent.atomic.DoubleAdder sum = new java.util.concurrent.atomic.DoubleAdder();

    LatencyHistogram() {
      for (int i = 0; i < buckets.length; i++) {
        buckets[i] = new LongAdder();
      }
    }

    public void record(long nanos) {
      double seconds = nanos / 1e9;
      int i = 0;
      while (i < BOUNDS_SECONDS.length && seconds > BOUNDS_SECONDS[i]) {
        i++;
      }
      buckets[i].increment();
      count.increment();
      sum.add(seconds);
    }

    public String render(String name) {
      StringBuilder out = new StringBuilder("# TYPE " + name + " histogram\n");
      long cumulative = 0;
      for (int i = 0; i < BOUNDS_SECONDS.length; i++) {
        cumulative += buckets[i].sum();
        out.append(name).append("_bucket{le=\"").append(BOUNDS_SECONDS[i]).append("\"} ").append(cumulative).append('\n');
      }
      cumulative += buckets[BOUNDS_SECONDS.length].sum();
      out.append(name).append("_bucket{le=\"+Inf\"} ").append(cumulative).append('\n');
      out.append(name).append("_sum ").append(sum.sum()).append('\n');
      out.append(name).append("_count ").append(count.sum()).append('\n');
      return out.toString();
    }
  }
}
