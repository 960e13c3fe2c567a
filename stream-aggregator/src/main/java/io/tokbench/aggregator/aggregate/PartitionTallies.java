package io.tokbench.aggregator.aggregate;

import io.tokbench.aggregator.normalize.StatsKeys;
import io.tokbench.aggregator.state.Tally;
import io.tokbench.schema.StatsRow;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * What {@code /models} and {@code /gpus} show, kept by the aggregate step as it goes rather than
 * counted by the queries: per model and per GPU, this partition's rows, their reports and the
 * distinct rigs contributing to them. A model lives in one partition, so its tally here is its
 * whole tally. A GPU's rows and reports add up over the partitions; its rigs do not (one rig
 * measures many models), so a rig's arrival on or departure from a GPU in this partition is also
 * counted across partitions ({@link GpuRigCountProcessor}).
 *
 * <p>Rows and reports change when rows are emitted; rigs when a rig's first row of a model or on a
 * GPU arrives or its last one leaves, which the caller knows from the rig's other rows in the
 * index: nothing is stored per rig for it.
 */
public final class PartitionTallies {
  private final KeyValueStore<String, Tally> tallies;
  /** Rows and reports changed by one emission, per tally key: one store write per model and GPU, not per row. */
  private final Map<String, long[]> emitted = new HashMap<>();

  PartitionTallies(KeyValueStore<String, Tally> tallies) {
    this.tallies = tallies;
  }

  /** Store key of a model's tally. */
  static String model(String model) {
    return "m" + model;
  }

  /** Store key of a GPU's tally. */
  static String gpu(String gpu) {
    return "g" + gpu;
  }

  /** Whether a key of the tallies store is a model's (or else a GPU's). */
  public static boolean isModel(String storeKey) {
    return storeKey.charAt(0) == 'm';
  }

  /** The model or GPU id of a key of the tallies store. */
  public static String idOf(String storeKey) {
    return storeKey.substring(1);
  }

  /** One rig more (step 1) or fewer (-1) contributes to the model's rows here. */
  void modelRigs(String model, int step) {
    add(model(model), 0, 0, step);
  }

  /** One rig more (step 1) or fewer (-1) contributes to the GPU's rows here. */
  void gpuRigs(String gpu, int step) {
    add(gpu(gpu), 0, 0, step);
  }

  /** A row was emitted: {@code before} is what was last emitted for its key, {@code after} what is now (null: no row). */
  void rowEmitted(String statsKey, StatsRow before, StatsRow after) {
    long rows = (after == null ? 0 : 1) - (before == null ? 0 : 1);
    long reports = (after == null ? 0 : after.getReportCount()) - (before == null ? 0 : before.getReportCount());
    if (rows == 0 && reports == 0) {
      return;
    }
    for (String key : new String[] {model(StatsKeys.modelOf(statsKey)), gpu(StatsKeys.gpuOf(statsKey))}) {
      long[] delta = emitted.computeIfAbsent(key, k -> new long[2]);
      delta[0] += rows;
      delta[1] += reports;
    }
  }

  /** Writes what the emission changed; called at its end, within the same punctuation. */
  void emissionDone() {
    emitted.forEach((key, delta) -> add(key, delta[0], delta[1], 0));
    emitted.clear();
  }

  private void add(String key, long rows, long reports, long rigs) {
    if (rows == 0 && reports == 0 && rigs == 0) {
      return;
    }
    Tally before = tallies.get(key);
    Tally after = before == null ? new Tally(rows, reports, rigs)
        : new Tally(before.getRows() + rows, before.getReports() + reports, before.getRigs() + rigs);
    if (after.getRows() == 0 && after.getReports() == 0 && after.getRigs() == 0) {
      tallies.delete(key);
    } else {
      tallies.put(key, after);
    }
  }
}
