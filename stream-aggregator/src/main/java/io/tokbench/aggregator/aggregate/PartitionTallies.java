package io.tokbench.aggregator.aggregate;

import io.tokbench.aggregator.normalize.StatsKeys;
import io.tokbench.aggregator.state.Tally;
import io.tokbench.schema.StatsRow;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * What {@code /models} and {@code /gpus} show, kept by the aggregate step as it goes rather than
 * counted by the queries: per model and per GPU, this partition's rows, their reports and the
 * distinct rigs contributing to them. A model lives in one partition, so its tally here is its
 * whole tally. A GPU's rows and reports add up over the partitions; its rigs do not (one rig
 * measures many models), so each change of a rig's presence on a GPU in this partition is handed
 * back to be counted across partitions ({@link GpuRigCountProcessor}).
 *
 * <p>Rows and reports change when rows are emitted; rigs when a rig's first contribution to a row
 * arrives or its last one leaves. Each per-rig count is a store entry, so a restart loses nothing.
 */
public final class PartitionTallies {
  private final KeyValueStore<String, String> index;
  private final KeyValueStore<String, Tally> tallies;
  /** Rows and reports changed by one emission, per tally key: one store write per model and GPU, not per row. */
  private final Map<String, long[]> emitted = new HashMap<>();

  /** A rig's presence on a GPU in this partition began (present) or ended. */
  record GpuPresence(String gpu, boolean present) {}

  PartitionTallies(KeyValueStore<String, String> index, KeyValueStore<String, Tally> tallies) {
    this.index = index;
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

  /** The rig's first contribution to the row of this statistics key arrived. */
  Optional<GpuPresence> rigJoined(String statsKey, String rig) {
    return moved(statsKey, rig, +1);
  }

  /** The rig's last contribution to the row of this statistics key left. */
  Optional<GpuPresence> rigLeft(String statsKey, String rig) {
    return moved(statsKey, rig, -1);
  }

  private Optional<GpuPresence> moved(String statsKey, String rig, int step) {
    String model = StatsKeys.modelOf(statsKey);
    String gpu = StatsKeys.gpuOf(statsKey);
    if (crossedZero(ContributionIndex.rigRowsOfModel(model, rig), step)) {
      add(model(model), 0, 0, step);
    }
    if (crossedZero(ContributionIndex.rigRowsOnGpu(gpu, rig), step)) {
      add(gpu(gpu), 0, 0, step);
      return Optional.of(new GpuPresence(gpu, step > 0));
    }
    return Optional.empty();
  }

  /** Moves a per-rig row count by one; whether it went from 0 to 1 or from 1 to 0. */
  private boolean crossedZero(String key, int step) {
    String before = index.get(key);
    long count = (before == null ? 0 : Long.parseLong(before)) + step;
    if (count <= 0) {
      index.delete(key);
      return before != null;
    }
    index.put(key, Long.toString(count));
    return count == 1 && step > 0;
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
