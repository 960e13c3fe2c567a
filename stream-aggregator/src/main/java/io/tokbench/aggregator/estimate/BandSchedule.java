package io.tokbench.aggregator.estimate;

import io.tokbench.aggregator.state.CalibrationPoint;
import io.tokbench.schema.CalibrationRecord;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * When the stream measures a group's band again rather than reusing the last one. Measuring it
 * refits the group's line without each of up to eight GPUs ({@link Calibrator#heldOutSpread}),
 * several times the cost of the line itself for a small group, and a group under a steady stream of
 * reports is refitted at every interval. So a refit reuses the band it measured last while the
 * points the band is measured on (the generation and the prompt points) come from the same GPUs,
 * their numbers have not moved by {@link #POINTS_CHANGE}, that measure is under
 * {@link #MAX_AGE_INTERVALS} refit intervals old and the group was refitted within the last
 * {@link #STEADY_INTERVALS} intervals (a group that changes now and then measures its band at each
 * refit, as it did before). Only a
 * band measured on held-out GPUs is reused: a group whose points come from fewer than two GPUs has
 * the in-sample spread, which is cheap. A group refitted with a band behind its line is refitted
 * again, its band measured, at the first interval it gets no new points, so once reports stop
 * every band is what a measure of the final points (and the shared physics they were fitted under)
 * gives. Kept in memory: after a restart, and after the admin API's refit of everything, every
 * group's band is measured at its next refit.
 */
final class BandSchedule {
  /** A relative change of the band's points (of those the fit reads, at most 2,000) that measures it again. */
  static final double POINTS_CHANGE = 0.1;
  /** The oldest a band gets, in refit intervals (a minute at the default 5 s), less half an interval for the clock's jitter. */
  static final int MAX_AGE_INTERVALS = 12;
  /**
   * A group refitted within this many intervals is under a steady stream (a group whose fit sample
   * is full is refitted every other interval); half an interval more for the clock's jitter.
   */
  static final int STEADY_INTERVALS = 2;

  /** The GPUs of a band's points and how many points there are; computed once per refit. */
  record Basis(Set<String> generationGpus, int generationPoints, Set<String> promptGpus, int promptPoints) {
    static Basis of(List<CalibrationPoint> points) {
      List<CalibrationPoint> generation = Calibrator.generationPoints(points);
      List<CalibrationPoint> prompt = Calibrator.promptPoints(points);
      return new Basis(gpusOf(generation), generation.size(), gpusOf(prompt), prompt.size());
    }

    /** Both bands measured on held-out GPUs (or no prompt points at all). */
    boolean heldOut() {
      return generationGpus.size() >= 2 && (promptPoints == 0 || promptGpus.size() >= 2);
    }

    boolean closeTo(Basis other) {
      return generationGpus.equals(other.generationGpus) && promptGpus.equals(other.promptGpus)
          && close(generationPoints, other.generationPoints) && close(promptPoints, other.promptPoints);
    }

    private static boolean close(int now, int then) {
      return Math.abs(now - then) < POINTS_CHANGE * then || now == then;
    }

    private static Set<String> gpusOf(List<CalibrationPoint> points) {
      return points.stream().map(Calibrator::gpuOf).collect(Collectors.toSet());
    }
  }

  private record Measured(CalibrationRecord bands, Basis basis, long atMillis) {}

  private final Map<String, Measured> measured = new HashMap<>();
  /** When each group was last refitted (wall clock, ms). */
  private final Map<String, Long> refittedAt = new HashMap<>();
  /** Groups refitted with a band measured on earlier points. */
  private final Set<String> behind = new HashSet<>();
  private final long intervalMillis;

  BandSchedule(long intervalMillis) {
    this.intervalMillis = intervalMillis;
  }

  /** The record whose bands this refit of the group reuses, or null where they are due to be measured. */
  CalibrationRecord reusable(String group, Basis basis, long nowMillis) {
    Measured last = measured.get(group);
    Long previousRefit = refittedAt.get(group);
    if (last == null || previousRefit == null || nowMillis - previousRefit > STEADY_INTERVALS * intervalMillis + intervalMillis / 2
        || nowMillis - last.atMillis() >= intervalMillis * MAX_AGE_INTERVALS - intervalMillis / 2) {
      return null;
    }
    return basis.heldOut() && basis.closeTo(last.basis()) ? last.bands() : null;
  }

  /** Records a refit: its bands measured, or {@code reused} from an earlier one. */
  void refitted(String group, CalibrationRecord fitted, boolean reused, Basis basis, long nowMillis) {
    refittedAt.put(group, nowMillis);
    if (reused) {
      behind.add(group);
    } else {
      measured.put(group, new Measured(fitted, basis, nowMillis));
      behind.remove(group);
    }
  }

  /**
   * Takes the groups whose band is behind their line and that are not among {@code changing}: they
   * are due for a refit that measures their band (forgotten here, so that refit does).
   */
  List<String> takeQuietGroupsBehind(Set<String> changing) {
    List<String> quiet = behind.stream().filter(group -> !changing.contains(group)).toList();
    quiet.forEach(group -> {
      measured.remove(group);
      behind.remove(group);
    });
    return quiet;
  }

  void forget(String group) {
    measured.remove(group);
    refittedAt.remove(group);
    behind.remove(group);
  }

  void forgetAll() {
    measured.clear();
    refittedAt.clear();
    behind.clear();
  }
}
