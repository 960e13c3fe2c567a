package io.tokbench.normalize;

import java.util.Arrays;

/**
 * Exact percentiles, the one definition agent and aggregator share so a median means the same on
 * both sides: linear interpolation between closest ranks (the "R-7" rule spreadsheets use; for an
 * even count the median is the mean of the two middle values).
 */
public final class OrderStatistics {
  private OrderStatistics() {}

  /** The p-th percentile (0..100) of values already sorted ascending. */
  public static double percentile(double[] sorted, double p) {
    return percentile(sorted, sorted.length, p);
  }

  /** The p-th percentile (0..100) of the first {@code count} values of an array sorted ascending there. */
  public static double percentile(double[] sorted, int count, double p) {
    if (count == 0) {
      throw new IllegalArgumentException("no values");
    }
    double rank = p / 100.0 * (count - 1);
    int low = (int) Math.floor(rank);
    int high = (int) Math.ceil(rank);
    return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
  }

  /** The median of values in any order (the array is sorted in place). */
  public static double median(double[] values) {
    Arrays.sort(values);
    return percentile(values, 50);
  }

  /** The median of the values that are present (nulls skipped), or null when none is. */
  public static Double medianOrNull(java.util.stream.Stream<? extends Number> values) {
    double[] present = values.filter(java.util.Objects::nonNull).mapToDouble(Number::doubleValue).toArray();
    return present.length == 0 ? null : median(present);
  }

  /**
   * Where a value falls in a sorted sample, 0..100: the share of values below it, counting ties
   * as half ("your 71 tok/s is at the 38th percentile").
   */
  public static double percentileRank(double[] sorted, double value) {
    int below = 0;
    int equal = 0;
    for (double v : sorted) {
      if (v < value) {
        below++;
      } else if (v == value) {
        equal++;
      }
    }
    return 100.0 * (below + 0.5 * equal) / sorted.length;
  }
}
