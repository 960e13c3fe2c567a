package io.tokbench.aggregator.estimate;

import io.tokbench.aggregator.state.CalibrationPoint;
import io.tokbench.aggregator.normalize.StatsKeys;
import io.tokbench.schema.CalibrationRecord;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * When the stream measures a group's band again rather than reusing the last one. Measuring it
 * refits the group's line without each of up to eight GPUs ({@link Calibrator#heldOutSpread}),
 * several times the cost of the line itself, on the stream thread at every refit; the band moves
 * only as the group's GPUs and rows do. So a refit reuses the band it measured last unless the
 * group has gained or lost a GPU, its points have grown or shrunk by {@link #POINTS_CHANGE} since,
 * or that measure is {@link #MAX_AGE_INTERVALS} refit intervals old. A group whose band is behind
 * its line is refitted with its band measured at the first interval it gets no new points, so once
 * reports stop every band is what a measure of the final points gives (the shared physics, which
 * the global group's refits move a little, included). Kept in memory: after a restart, and after
 * the admin API's refit of everything, every group's band is measured at its next refit.
 */
final class BandSchedule {
  /** A relative change of a group's points that measures its band again. */
  static final double POINTS_CHANGE = 0.1;
  /** The oldest a band gets, in refit intervals (a minute at the default 5 s). */
  static final int MAX_AGE_INTERVALS = 12;

  private record Measured(CalibrationRecord bands, int points, long gpus, long atMillis) {}

  private final Map<String, Measured> measured = new HashMap<>();
  /** Groups refitted with a band measured on earlier points. */
  private final Set<String> behind = new HashSet<>();
  private final long maxAgeMillis;

  BandSchedule(long intervalMillis) {
    this.maxAgeMillis = intervalMillis * MAX_AGE_INTERVALS;
  }

  /** The record whose bands this refit of the group reuses, or null where they are due to be measured. */
  CalibrationRecord reusable(String group, List<CalibrationPoint> points, long nowMillis) {
    Measured last = measured.get(group);
    if (last == null || nowMillis - last.atMillis() >= maxAgeMillis || gpusOf(points) != last.gpus()
        || Math.abs(points.size() - last.points()) >= POINTS_CHANGE * last.points()) {
      return null;
    }
    return last.bands();
  }

  /** Records a refit: its bands measured, or {@code reused} from an earlier one. */
  void refitted(String group, CalibrationRecord fitted, boolean reused, List<CalibrationPoint> points, long nowMillis) {
    if (reused) {
      behind.add(group);
    } else {
      measured.put(group, new Measured(fitted, points.size(), gpusOf(points), nowMillis));
      behind.remove(group);
    }
  }

  /**
   * The groups whose band is behind their line and that are not among {@code changing}: they are due
   * for a refit that measures their band (forgotten here, so their next refit does).
   */
  List<String> quietGroupsBehind(Set<String> changing) {
    List<String> quiet = behind.stream().filter(group -> !changing.contains(group)).toList();
    quiet.forEach(this::forget);
    return quiet;
  }

  void forget(String group) {
    measured.remove(group);
    behind.remove(group);
  }

  void forgetAll() {
    measured.clear();
    behind.clear();
  }

  private static long gpusOf(List<CalibrationPoint> points) {
    return points.stream().map(p -> StatsKeys.gpuOf(p.getStatsKey())).distinct().count();
  }
}
