package io.tokbench.aggregator.aggregate;

import io.tokbench.normalize.OrderStatistics;
import java.util.Arrays;

/**
 * A multiset of doubles kept sorted: insert and remove by binary search and one array move, any
 * percentile by index. It holds one value per rig of a row, so an update costs a move of at most
 * that many doubles (80 KB at 10,000 rigs, a few microseconds) and no store access, and the
 * percentiles stay exact: they are read off the very array a recomputation would sort.
 */
final class SortedValues {
  private double[] values = new double[4];
  private int size;

  int size() {
    return size;
  }

  void add(double value) {
    int at = search(value);
    if (at < 0) {
      at = -at - 1;
    }
    if (size == values.length) {
      values = Arrays.copyOf(values, size * 2);
    }
    System.arraycopy(values, at, values, at + 1, size - at);
    values[at] = value;
    size++;
  }

  /** Removes one occurrence; false when the value is not held (the caller's bookkeeping is off). */
  boolean remove(double value) {
    int at = search(value);
    if (at < 0) {
      return false;
    }
    System.arraycopy(values, at + 1, values, at, size - at - 1);
    size--;
    if (size > 16 && size < values.length / 4) {
      values = Arrays.copyOf(values, values.length / 2);
    }
    return true;
  }

  /** The p-th percentile (0..100) by the shared definition; only when not empty. */
  double percentile(double p) {
    return OrderStatistics.percentile(values, size, p);
  }

  double min() {
    return values[0];
  }

  double max() {
    return values[size - 1];
  }

  /** A copy of the values in order. */
  double[] toArray() {
    return Arrays.copyOf(values, size);
  }

  /** Index of an occurrence of the value, or -(insertion point) - 1. */
  private int search(double value) {
    return Arrays.binarySearch(values, 0, size, value);
  }

  /** Approximate heap bytes, for the row cache's weigher. */
  int bytes() {
    return 16 + values.length * Double.BYTES;
  }
}
