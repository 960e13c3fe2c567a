package io.tokbench.aggregator.estimate;

import io.tokbench.aggregator.state.CalibrationPoint;
import io.tokbench.schema.CalibrationRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every calibration group's points and refits the groups that changed, at most once per
 * interval: a popular group (the global one holds every row) would otherwise be refitted for each
 * report. A point is stored under its group, then its sampling rank ({@link CalibrationPoints#sampleRank}),
 * then its row: a group's points come out of the store in rank order, so a fit reads the first
 * {@link #MAX_POINTS_PER_FIT} of them, a uniform sample of the group's setups, and a refit costs the
 * same whatever the group's size. A group whose sample is full waits an interval after each refit,
 * and a tick refits one such group at most; the rest wait for the next tick. The set of changed
 * groups lives in memory; after a restart every stored group counts as changed, so a crash between
 * a point's arrival and its refit loses nothing. Every group is fitted under the physics the global
 * group fitted (read from the calibration global store, as the global group may live on another
 * instance); when those move, every group of this task is refitted. A refit measures the group's
 * band only when {@link BandSchedule} says it is due, and otherwise keeps the last one.
 */
public final class CalibrateProcessor extends ContextualProcessor<String, CalibrationPoint, String, CalibrationRecord> {
  /** Separates the group id from the point's rank and statistics key in the store key. */
  public static final char SEPARATOR = '\u001d';
  /** A point under this key asks for every group of the partition to be refitted (the admin API sends one per partition). */
  public static final String REFIT_ALL = "*";
  /** A relative change of the shared physics below this does not refit every group (the global group moves with every row). */
  static final double PHYSICS_TOLERANCE = 0.01;
  /**
   * A fit reads at most this many of its group's points, the lowest-ranked. Reading a group of
   * 9,785 points took 80–680 ms of the stream thread on this machine (the benchmark's scenario a,
   * every row in one group), and its refits were the end-to-end latency's tail; two thousand setups
   * pin a group's two generation parameters far below their spread.
   */
  static final int MAX_POINTS_PER_FIT = 2_000;

  private static final Logger log = LoggerFactory.getLogger(CalibrateProcessor.class);

  private final String pointsStore;
  private final String calibrationStore;
  private final Duration interval;
  private final int maxGroups;
  private final Set<String> changed = new LinkedHashSet<>();
  /** Groups with points here: bounded, since a group is named by strings reports bring. */
  private final Set<String> groups = new java.util.HashSet<>();
  /** When each group may be refitted next (wall clock, ms); in memory: after a restart every group is due. */
  private final java.util.Map<String, Long> nextFitAt = new java.util.HashMap<>();
  private final BandSchedule bands;
  private KeyValueStore<String, CalibrationPoint> points;
  private ReadOnlyKeyValueStore<String, CalibrationRecord> calibrations;
  private Physics fittedUnder = Physics.PRIOR;

  /** @param calibrationStore the global store of every group's current calibration */
  public CalibrateProcessor(String pointsStore, String calibrationStore, Duration interval, int maxGroups) {
    this.pointsStore = pointsStore;
    this.calibrationStore = calibrationStore;
    this.interval = interval;
    this.maxGroups = maxGroups;
    this.bands = new BandSchedule(interval.toMillis());
  }

  @Override
  public void init(ProcessorContext<String, CalibrationRecord> context) {
    super.init(context);
    points = context.getStateStore(pointsStore);
    calibrations = context.getStateStore(calibrationStore);
    fittedUnder = Physics.of(calibrations.get(CalibrationPoints.GLOBAL));
    groups.clear();
    changed.clear();
    nextFitAt.clear();
    bands.forgetAll();
    markAllChanged();
    groups.addAll(changed);
    context.schedule(interval, PunctuationType.WALL_CLOCK_TIME, this::refitChanged);
  }

  @Override
  public void process(Record<String, CalibrationPoint> record) {
    String group = record.key();
    if (group.equals(REFIT_ALL)) {
      bands.forgetAll();
      markAllChanged();
      return;
    }
    CalibrationPoint point = record.value();
    if (!groups.contains(group)) {
      if (point.getRemoved()) {
        return;
      }
      if (groups.size() >= maxGroups) {
        log.warn("Calibration group {} not kept: this partition already keeps {} groups", group, maxGroups);
        return;
      }
      groups.add(group);
    }
    String key = storeKey(group, point.getStatsKey());
    if (point.getRemoved()) {
      points.delete(key);
    } else {
      points.put(key, point);
    }
    changed.add(group);
  }

  /** Group, then rank, then row: a prefix scan of the group reads its points lowest rank first. */
  static String storeKey(String group, String encodedStatsKey) {
    return group + SEPARATOR + CalibrationPoints.sampleRank(encodedStatsKey) + encodedStatsKey;
  }

  private void markAllChanged() {
    try (KeyValueIterator<String, CalibrationPoint> all = points.all()) {
      all.forEachRemaining(kv -> changed.add(kv.key.substring(0, kv.key.indexOf(SEPARATOR))));
    }
  }

  private void refitChanged(long now) {
    Physics physics = Physics.of(calibrations.get(CalibrationPoints.GLOBAL));
    if (!physics.closeTo(fittedUnder, PHYSICS_TOLERANCE)) {
      markAllChanged();
      fittedUnder = physics;
    }
    changed.addAll(bands.takeQuietGroupsBehind(changed));
    // One full sample per tick at most, so the big groups' refits fall on different ticks.
    boolean fullSampleRead = false;
    for (java.util.Iterator<String> due = changed.iterator(); due.hasNext() && !fullSampleRead; ) {
      String group = due.next();
      if (now < nextFitAt.getOrDefault(group, Long.MIN_VALUE)) {
        continue; // a big group refitted recently: it stays changed until its turn
      }
      due.remove();
      List<CalibrationPoint> members;
      try (KeyValueIterator<String, CalibrationPoint> it = points.prefixScan(group + SEPARATOR, Serdes.String().serializer())) {
        members = FitSample.first(it, MAX_POINTS_PER_FIT);
      }
      fullSampleRead = members.size() >= MAX_POINTS_PER_FIT;
      if (members.isEmpty()) {
        groups.remove(group);
        nextFitAt.remove(group);
        bands.forget(group);
      } else {
        // A full sample skips the next tick; half a tick of slack for the clock's jitter.
        nextFitAt.put(group, fullSampleRead ? now + interval.toMillis() + interval.toMillis() / 2 : now);
      }
      CalibrationRecord fitted = null; // an emptied group: its calibration is deleted
      try {
        if (!members.isEmpty()) {
          BandSchedule.Basis basis = BandSchedule.Basis.of(members);
          CalibrationRecord reused = bands.reusable(group, basis, now);
          fitted = CalibrationGroups.fitGroup(group, members, fittedUnder, Instant.ofEpochMilli(now), reused);
          bands.refitted(group, fitted, reused != null, basis, now);
        }
      } catch (RuntimeException e) {
        // A fit that fails keeps the group's last calibration; the stream thread goes on.
        log.error("Refit of calibration group {} failed; keeping its last calibration", group, e);
        continue;
      }
      context().forward(new Record<>(group, fitted, now));
    }
  }
}
