package io.tokbench.aggregator.aggregate;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.tokbench.aggregator.app.AggregatorMetrics;
import io.tokbench.aggregator.normalize.StatsKeys;
import io.tokbench.aggregator.state.ContributionEvent;
import io.tokbench.aggregator.state.GpuRigPresence;
import io.tokbench.aggregator.state.ReportSample;
import io.tokbench.aggregator.state.RigContribution;
import io.tokbench.aggregator.state.RigSummary;
import io.tokbench.aggregator.topology.Topics;
import io.tokbench.aggregator.validate.Rejection;
import io.tokbench.schema.RejectedReport;
import io.tokbench.schema.StatsKey;
import io.tokbench.schema.StatsRow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Aggregates the samples of one partition's models into statistics rows, incrementally.
 *
 * <p>Per report: the retraction markers and the index are looked up (a retracted rig or report is
 * refused, a report id already counted is dropped), the rig's own window of samples and its summary
 * are rewritten, and the row's in-memory order statistics move that one rig. Nothing scans the
 * row's other rigs, so a report costs the same on a row of one rig and on a row of ten thousand.
 * Rows are emitted once per emit interval (about once per commit), not once per report: the keys
 * changed since the last emission are marked dirty in a store, so a crash between a report and its
 * row's emission loses nothing.
 *
 * <p>It also keeps what {@code /models} and {@code /gpus} show ({@link PartitionTallies}): rows
 * and reports move with each emission; a model's or GPU's rigs when a rig's first row of it arrives
 * or its last leaves, and the rigs that arrived on or left a GPU go with the next emission to be
 * counted across partitions ({@link GpuRigCountProcessor}).
 *
 * <p>Every computation that could fail happens before the first store write, so a record that
 * fails leaves no half-applied change behind.
 */
public final class AggregateProcessor extends ContextualProcessor<String, ContributionEvent, Object, Object> {
  /** Names of the stores this processor owns. */
  public record Stores(String windows, String summaries, String index, String retractions, String dirty, String stats, String tallies) {}

  /**
   * Tunables: how often changed rows are emitted, how often they are offered to the calibration
   * (which refits no more often than that anyway), the cap on rows one rig may open per partition,
   * the row cache's size.
   */
  public record Limits(Duration emitInterval, Duration calibrationInterval, int maxRowsPerRig, long rowCacheBytes) {}

  private final Stores names;
  private final Limits limits;
  private final List<String> rowChildren;
  private final String calibrationChild;
  private final String rejectedChild;
  private final String gpuRigsChild;
  private final AggregatorMetrics metrics;
  private final RowChanges changes;
  private final Set<String> dirtyKeys = new LinkedHashSet<>();
  /** Per GPU, the rigs whose presence on it in this partition changed since the last emission: true arrived, false left. */
  private final Map<String, Map<String, Boolean>> presenceChanges = new HashMap<>();
  /** Rows emitted since the calibration last heard of them; lost in a crash, which only delays a point until the row next changes. */
  private final Set<String> calibrationPending = new LinkedHashSet<>();
  private KeyValueStore<String, RigContribution> windows;
  private KeyValueStore<String, RigSummary> summaries;
  private KeyValueStore<String, String> index;
  private KeyValueStore<String, String> retractions;
  private KeyValueStore<String, String> dirty;
  private KeyValueStore<String, StatsRow> stats;
  private PartitionTallies tallies;
  private Cache<String, RowStatistics> rows;

  /**
   * @param rowChildren where changed rows go
   * @param calibrationChild where rows go as calibration points
   * @param rejectedChild where refused reports go
   * @param gpuRigsChild where a rig's presence on a GPU in this partition goes when it begins or ends
   */
  public AggregateProcessor(Stores names, Limits limits, List<String> rowChildren, String calibrationChild, String rejectedChild, String gpuRigsChild,
      AggregatorMetrics metrics, RowChanges changes) {
    this.names = names;
    this.limits = limits;
    this.rowChildren = List.copyOf(rowChildren);
    this.calibrationChild = calibrationChild;
    this.rejectedChild = rejectedChild;
    this.gpuRigsChild = gpuRigsChild;
    this.metrics = metrics;
    this.changes = changes;
  }

  @Override
  public void init(ProcessorContext<Object, Object> context) {
    super.init(context);
    windows = context.getStateStore(names.windows());
    summaries = context.getStateStore(names.summaries());
    index = context.getStateStore(names.index());
    retractions = context.getStateStore(names.retractions());
    dirty = context.getStateStore(names.dirty());
    stats = context.getStateStore(names.stats());
    tallies = new PartitionTallies(context.getStateStore(names.tallies()));
    // Rows being aggregated, bounded by their size; an evicted row is rebuilt from its rigs' summaries.
    rows = Caffeine.newBuilder().maximumWeight(limits.rowCacheBytes()).<String, RowStatistics>weigher((key, row) -> row.bytes())
        .executor(Runnable::run).build();
    changes.tasksMoved();
    dirtyKeys.clear();
    presenceChanges.clear();
    try (KeyValueIterator<String, String> pending = dirty.all()) {
      pending.forEachRemaining(kv -> {
        if (DirtyEntries.isPresence(kv.key)) {
          presenceChanges.computeIfAbsent(DirtyEntries.gpuOf(kv.key), g -> new HashMap<>()).put(DirtyEntries.rigOf(kv.key), DirtyEntries.arrived(kv.value));
        } else {
          dirtyKeys.add(kv.key);
        }
      });
    }
    calibrationPending.clear();
    context.schedule(limits.emitInterval(), PunctuationType.WALL_CLOCK_TIME, now -> emitDirtyRows());
    // Twice per refit interval, so a row's change is in its groups' next refit.
    context.schedule(limits.calibrationInterval().dividedBy(2), PunctuationType.WALL_CLOCK_TIME, now -> offerToCalibration());
  }

  @Override
  public void process(Record<String, ContributionEvent> record) {
    ContributionEvent event = record.value();
    if (event.getSample() != null) {
      add(event, record);
    } else if (event.getRetractRig()) {
      if (event.getLift()) {
        retractions.delete(ContributionIndex.retractedRig(event.getRigId()));
      } else {
        retractRig(event.getRigId(), event.getReason());
      }
    } else if (event.getRetractReportId() != null) {
      if (event.getLift()) {
        retractions.delete(ContributionIndex.retractedReport(event.getRetractReportId()));
      } else {
        retractReport(event.getRetractReportId(), event.getReason());
      }
    }
  }

  private void add(ContributionEvent event, Record<String, ContributionEvent> record) {
    String rig = event.getRigId();
    ReportSample sample = event.getSample();
    String reportId = sample.getReportId();
    if (retractions.get(ContributionIndex.retractedRig(rig)) != null) {
      reject(event, record, Rejection.RETRACTED, "rig " + rig + " was retracted by an operator; its reports are not counted");
      return;
    }
    if (retractions.get(ContributionIndex.retractedReport(reportId)) != null) {
      reject(event, record, Rejection.RETRACTED, "report " + reportId + " was retracted by an operator");
      return;
    }
    if (index.get(ContributionIndex.report(reportId)) != null) {
      metrics.duplicate(); // the agent's spool resent a report that was already counted
      return;
    }
    String key = event.getStatsKey();
    String storeKey = RigContributions.storeKey(key, rig);
    RigContribution before = windows.get(storeKey);
    OtherRows others = before == null ? otherRowsOf(rig, key) : null;
    if (others != null && others.count() >= limits.maxRowsPerRig()) {
      reject(event, record, Rejection.RIG_ROW_LIMIT, "rig " + rig + " already contributes to " + limits.maxRowsPerRig()
          + " rows of this partition, the most one rig may; its report for a new setup is not counted");
      return;
    }
    RigContributions.Added added = RigContributions.addTracking(before, sample);
    RigSummary previous = before == null ? null : summaries.get(storeKey);
    RigSummary next = RigSummaries.of(added.window());
    RowStatistics row = row(key);

    windows.put(storeKey, added.window());
    summaries.put(storeKey, next);
    if (!added.evictedReportIds().contains(reportId)) {
      index.put(ContributionIndex.report(reportId), storeKey);
    }
    for (String evicted : added.evictedReportIds()) {
      index.delete(ContributionIndex.report(evicted));
    }
    if (before == null) {
      index.put(ContributionIndex.rigRow(rig, key), "");
      rigMoved(key, rig, others, 1);
    }
    row.replace(previous, next);
    changed(key, row);
  }

  private void retractRig(String rig, String reason) {
    retractions.put(ContributionIndex.retractedRig(rig), reason);
    List<String> keys = new ArrayList<>();
    try (KeyValueIterator<String, String> it = index.prefixScan(ContributionIndex.rigRowsPrefix(rig), Serdes.String().serializer())) {
      it.forEachRemaining(kv -> keys.add(ContributionIndex.statsKeyOfRigRow(kv.key)));
    }
    Set<String> models = new HashSet<>();
    Set<String> gpus = new HashSet<>();
    for (String key : keys) {
      String storeKey = RigContributions.storeKey(key, rig);
      RigContribution window = windows.get(storeKey);
      RigSummary summary = summaries.get(storeKey);
      RowStatistics row = row(key);
      windows.delete(storeKey);
      summaries.delete(storeKey);
      index.delete(ContributionIndex.rigRow(rig, key));
      if (window != null) {
        window.getSamples().forEach(s -> index.delete(ContributionIndex.report(s.getReportId())));
        models.add(StatsKeys.modelOf(key));
        gpus.add(StatsKeys.gpuOf(key));
      }
      if (summary != null) {
        row.remove(summary);
      }
      changed(key, row);
    }
    // Every row of the rig went: it leaves each model and GPU it was in.
    models.forEach(model -> tallies.modelRigs(model, -1));
    gpus.forEach(gpu -> {
      tallies.gpuRigs(gpu, -1);
      presenceChanged(gpu, rig, false);
    });
  }

  private void retractReport(String reportId, String reason) {
    retractions.put(ContributionIndex.retractedReport(reportId), reason);
    String storeKey = index.get(ContributionIndex.report(reportId));
    if (storeKey == null) {
      return; // not (yet) here: the marker refuses it if it comes
    }
    RigContribution window = windows.get(storeKey);
    String key = RigContributions.statsKeyOf(storeKey);
    String rig = RigContributions.rigOf(storeKey);
    Optional<RigContribution> remaining = window == null ? Optional.empty() : RigContributions.without(window, reportId);
    RigSummary previous = summaries.get(storeKey);
    RigSummary next = remaining.map(RigSummaries::of).orElse(null);
    RowStatistics row = row(key);

    index.delete(ContributionIndex.report(reportId));
    if (next != null) {
      windows.put(storeKey, remaining.get());
      summaries.put(storeKey, next);
      row.replace(previous, next);
    } else {
      windows.delete(storeKey);
      summaries.delete(storeKey);
      index.delete(ContributionIndex.rigRow(rig, key));
      if (window != null) {
        window.getSamples().forEach(s -> index.delete(ContributionIndex.report(s.getReportId())));
      }
      if (previous != null) {
        row.remove(previous);
      }
      if (window != null) {
        rigMoved(key, rig, otherRowsOf(rig, key), -1);
      }
    }
    changed(key, row);
  }

  /** The rig's rows here other than one: how many, and whether one is of the same model, one on the same GPU. */
  private record OtherRows(int count, boolean ofModel, boolean onGpu) {}

  /** Reads the rig's entries in the index: at most the row cap of them. */
  private OtherRows otherRowsOf(String rig, String statsKey) {
    int count = 0;
    boolean ofModel = false;
    boolean onGpu = false;
    try (KeyValueIterator<String, String> it = index.prefixScan(ContributionIndex.rigRowsPrefix(rig), Serdes.String().serializer())) {
      while (it.hasNext()) {
        String other = ContributionIndex.statsKeyOfRigRow(it.next().key);
        if (!other.equals(statsKey)) {
          count++;
          ofModel |= StatsKeys.sameModel(other, statsKey);
          onGpu |= StatsKeys.sameGpu(other, statsKey);
        }
      }
    }
    return new OtherRows(count, ofModel, onGpu);
  }

  /** The rig's first row of a key arrived (step 1) or its last left (-1): the tallies of the model and GPU it has no other row of move. */
  private void rigMoved(String statsKey, String rig, OtherRows others, int step) {
    if (!others.ofModel()) {
      tallies.modelRigs(StatsKeys.modelOf(statsKey), step);
    }
    if (!others.onGpu()) {
      String gpu = StatsKeys.gpuOf(statsKey);
      tallies.gpuRigs(gpu, step);
      presenceChanged(gpu, rig, step > 0);
    }
  }

  /**
   * A rig began or ceased to contribute to rows of a GPU in this partition. Sent with the next
   * emission, one record per GPU (kept in the dirty store until then, so a crash loses nothing);
   * only the last change of a rig counts.
   */
  private void presenceChanged(String gpu, String rig, boolean arrived) {
    presenceChanges.computeIfAbsent(gpu, g -> new HashMap<>()).put(rig, arrived);
    dirty.put(DirtyEntries.presence(gpu, rig), DirtyEntries.value(arrived));
  }

  /** Every GPU's presence changes since the last emission, to be counted across partitions (keyed by GPU). */
  private void emitPresenceChanges(long timestamp) {
    int partition = context().taskId().partition();
    presenceChanges.forEach((gpu, rigs) -> {
      List<String> arrived = new ArrayList<>();
      List<String> left = new ArrayList<>();
      rigs.forEach((rig, in) -> {
        (in ? arrived : left).add(rig);
        dirty.delete(DirtyEntries.presence(gpu, rig));
      });
      context().forward(new Record<>((Object) gpu, (Object) new GpuRigPresence(partition, arrived, left), timestamp), gpuRigsChild);
    });
    presenceChanges.clear();
  }

  /** The row's statistics from the cache, or rebuilt from its rigs' summaries. */
  private RowStatistics row(String key) {
    RowStatistics cached = rows.getIfPresent(key);
    if (cached != null) {
      return cached;
    }
    List<RigSummary> rigs = new ArrayList<>();
    try (KeyValueIterator<String, RigSummary> it = summaries.prefixScan(RigContributions.keyPrefix(key), Serdes.String().serializer())) {
      it.forEachRemaining((KeyValue<String, RigSummary> kv) -> rigs.add(kv.value));
    }
    return RowStatistics.of(rigs);
  }

  private void changed(String key, RowStatistics row) {
    rows.put(key, row); // re-weighs it
    if (dirtyKeys.add(key)) {
      dirty.put(key, "");
    }
  }

  /** Emits every row changed since the last emission: the new row, or a tombstone when no rig is left. */
  private void emitDirtyRows() {
    long timestamp = context().currentStreamTimeMs();
    for (String key : dirtyKeys) {
      RowStatistics row = row(key);
      StatsKey statsKey = StatsKeys.decode(key);
      StatsRow emitted = null;
      StatsRow before = stats.get(key);
      if (row.rigCount() == 0) {
        stats.delete(key);
        rows.invalidate(key);
      } else {
        emitted = row.toRow(statsKey);
        stats.put(key, emitted);
      }
      tallies.rowEmitted(key, before, emitted);
      changes.changed(statsKey.getModel());
      for (String child : rowChildren) {
        context().forward(new Record<>((Object) statsKey, (Object) emitted, timestamp), child);
      }
      dirty.delete(key);
      calibrationPending.add(key);
    }
    dirtyKeys.clear();
    tallies.emissionDone();
    emitPresenceChanges(timestamp);
  }

  /** The latest state of every row emitted since the last offer, once: a busy row is one point per interval, not one per report. */
  private void offerToCalibration() {
    long timestamp = context().currentStreamTimeMs();
    for (String key : calibrationPending) {
      context().forward(new Record<>((Object) StatsKeys.decode(key), (Object) stats.get(key), timestamp), calibrationChild);
    }
    calibrationPending.clear();
  }

  private void reject(ContributionEvent event, Record<String, ContributionEvent> record, String code, String message) {
    metrics.rejected(code);
    RejectedReport rejected = RejectedReport.newBuilder()
        .setReasonCode(code)
        .setMessage(message)
        .setOriginalKey(null)
        .setOriginalValue(null)
        .setSourceTopic(Topics.REPORTS)
        .setSourcePartition(event.getSourcePartition())
        .setSourceOffset(event.getSourceOffset())
        .setRejectedAt(Instant.ofEpochMilli(context().currentSystemTimeMs()))
        .build();
    context().forward(record.withKey((Object) null).withValue((Object) rejected), rejectedChild);
  }

  @Override
  public void close() {
    changes.tasksMoved();
  }
}
