package io.tokbench.agent.probe;

import java.util.Arrays;
import io.tokbench.normalize.OrderStatistics;
import java.util.List;

/** Order statistics of a small sample: exact, no approximation. */
public record Samples(double median, double min, double max, double mean, double stddev) {

  public static Samples of(List<Double> values) {
    if (values.isEmpty()) {
      throw new IllegalArgumentException("no samples");
    }
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    double mean = Arrays.stream(sorted).average().orElseThrow();
    double squares = Arrays.stream(sorted).map(v -> (v - mean) * (v - mean)).sum();
    double stddev = sorted.length > 1 ? Math.sqrt(squares / (sorted.length - 1)) : 0;
    return new Samples(OrderStatistics.percentile(sorted, 50), sorted[0], sorted[sorted.length - 1], mean, stddev);
  }

  /** stddev / mean: how noisy the sample is regardless of its scale. */
  public double coefficientOfVariation() {
    return mean == 0 ? 0 : stddev / mean;
  }
}
