package io.tokbench.aggregator.aggregate;

import io.tokbench.aggregator.normalize.StatsKeys;
import io.tokbench.aggregator.state.ContributionEvent;
import io.tokbench.aggregator.state.KeySet;
import io.tokbench.aggregator.state.RigContribution;
import io.tokbench.schema.StatsKey;
import io.tokbench.schema.StatsRow;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keeps every rig's contribution per statistics key and recomputes the key's row whenever a
 * contribution arrives or is withdrawn; forwards the new row (or a tombstone when no rig is left)
 * keyed by its statistics key.
 */
public final class AggregateProcessor extends ContextualProcessor<String, ContributionEvent, StatsKey, StatsRow> {
  private final String contributionsStore;
  private final String statsStore;
  private final String reportIndexStore;
  private final String rigIndexStore;
  private KeyValueStore<String, RigContribution> contributions;
  private KeyValueStore<String, StatsRow> stats;
  private KeyValueStore<String, String> reportIndex;
  private KeyValueStore<String, KeySet> rigIndex;

  public AggregateProcessor(String contributionsStore, String statsStore, String reportIndexStore, String rigIndexStore) {
    this.contributionsStore = contributionsStore;
    this.statsStore = statsStore;
    this.reportIndexStore = reportIndexStore;
    this.rigIndexStore = rigIndexStore;
  }

  @Override
  public void init(ProcessorContext<StatsKey, StatsRow> context) {
    super.init(context);
    contributions = context.getStateStore(contributionsStore);
    stats = context.getStateStore(statsStore);
    reportIndex = context.getStateStore(reportIndexStore);
    rigIndex = context.getStateStore(rigIndexStore);
  }

  @Override
  public void process(Record<String, ContributionEvent> record) {
    ContributionEvent event = record.value();
    if (event.getRetractRig()) {
      retractRig(event.getRigId(), record.timestamp());
    } else if (event.getRetractReportId() != null) {
      retractReport(event.getRetractReportId(), record.timestamp());
    } else if (event.getSample() != null) {
      add(event, record.timestamp());
    }
  }

  private void add(ContributionEvent event, long timestamp) {
    String key = event.getStatsKey();
    String rig = event.getRigId();
    String storeKey = RigContributions.storeKey(key, rig);
    contributions.put(storeKey, RigContributions.add(contributions.get(storeKey), event.getSample()));
    reportIndex.put(event.getSample().getReportId(), storeKey);
    Set<String> keys = keysOf(rig);
    if (keys.add(key)) {
      rigIndex.put(rig, new KeySet(new ArrayList<>(keys)));
    }
    recompute(key, timestamp);
  }

  private void retractRig(String rig, long timestamp) {
    KeySet keys = rigIndex.get(rig);
    if (keys == null) {
      return; // this partition holds nothing of the rig
    }
    for (String key : keys.getKeys()) {
      contributions.delete(RigContributions.storeKey(key, rig));
      recompute(key, timestamp);
    }
    rigIndex.delete(rig);
  }

  private void retractReport(String reportId, long timestamp) {
    String storeKey = reportIndex.get(reportId);
    if (storeKey == null) {
      return;
    }
    reportIndex.delete(reportId);
    RigContribution existing = contributions.get(storeKey);
    if (existing == null) {
      return; // already gone with its rig
    }
    String key = RigContributions.statsKeyOf(storeKey);
    String rig = RigContributions.rigOf(storeKey);
    Optional<RigContribution> remaining = RigContributions.without(existing, reportId);
    if (remaining.isPresent()) {
      contributions.put(storeKey, remaining.get());
    } else {
      contributions.delete(storeKey);
      Set<String> keys = keysOf(rig);
      keys.remove(key);
      if (keys.isEmpty()) {
        rigIndex.delete(rig);
      } else {
        rigIndex.put(rig, new KeySet(new ArrayList<>(keys)));
      }
    }
    recompute(key, timestamp);
  }

  private void recompute(String encodedKey, long timestamp) {
    List<RigContribution> rigs = new ArrayList<>();
    try (KeyValueIterator<String, RigContribution> it = contributions.prefixScan(RigContributions.keyPrefix(encodedKey), Serdes.String().serializer())) {
      while (it.hasNext()) {
        KeyValue<String, RigContribution> next = it.next();
        rigs.add(next.value);
      }
    }
    StatsKey key = StatsKeys.decode(encodedKey);
    if (rigs.isEmpty()) {
      stats.delete(encodedKey);
      context().forward(new Record<>(key, null, timestamp));
      return;
    }
    StatsRow row = StatsCalculator.row(key, rigs);
    stats.put(encodedKey, row);
    context().forward(new Record<>(key, row, timestamp));
  }

  private Set<String> keysOf(String rig) {
    KeySet keys = rigIndex.get(rig);
    return keys == null ? new LinkedHashSet<>() : new LinkedHashSet<>(keys.getKeys());
  }
}
